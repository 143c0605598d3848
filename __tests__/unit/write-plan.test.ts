import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ConditionTooLongError, updateParams } from '../../handlers/write-plan';

const operators = (expression: string) => (expression.match(/\b(AND|OR|NOT)\b|<>|<=|>=|=|<|>|\b(attribute_exists|attribute_not_exists|attribute_type|size)\(/g) ?? []).length;
const wide = (attributes: number): Record<string, AttributeValue> => {
  const item: Record<string, AttributeValue> = { pk: { S: 'k' } };
  for (let i = 0; i < attributes; i++) item[`a${i}`] = { S: `v${i}` };
  return item;
};

describe('the write condition stays within DynamoDB expression limits', () => {
  it('conditions every scanned attribute when that fits', () => {
    const params = updateParams('t', wide(3), ['pk'], { set: { a0: { S: 'new' } }, remove: [] });
    expect(params.ConditionExpression).toBe('attribute_exists(#n0) AND #n1 = :v0 AND #n2 = :v1 AND #n3 = :v2');
    expect(params.UpdateExpression).toBe('SET #n1 = :v3');
  });

  it('falls back to the written attributes when the full condition would pass 300 operators, with no unused placeholder', () => {
    // 150 attributes: only ~2,500 characters, but 1 + 150 comparisons + 150 ANDs = 301 operators.
    const params = updateParams('t', wide(150), ['pk'], { set: { a7: { S: 'new' } }, remove: [] });
    expect(params.ConditionExpression).toBe('attribute_exists(#n0) AND #n1 = :v0');
    expect(Object.values(params.ExpressionAttributeNames!)).toStrictEqual(['pk', 'a7']);
    expect(Object.keys(params.ExpressionAttributeValues!)).toStrictEqual([':v0', ':v1']);
    expect(operators(params.ConditionExpression!)).toBeLessThanOrEqual(300);
  });

  it('refuses a write whose own condition is over the limits, saying why', () => {
    const scanned = wide(200);
    const set = Object.fromEntries(Object.keys(scanned).filter((n) => n !== 'pk').map((n) => [n, { S: 'changed' }]));
    expect(() => updateParams('t', scanned, ['pk'], { set, remove: [] })).toThrow(ConditionTooLongError);
    expect(() => updateParams('t', scanned, ['pk'], { set, remove: [] })).toThrow(/401 operators, over DynamoDB's expression limits/);
  });
});

describe('GIVEN a wide nested item (60 maps, each holding a list)', () => {
  const nested: Record<string, AttributeValue> = {
    pk: { S: 'k' },
    doc: { M: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, { M: { inner: { L: [{ S: `v${i}` }, { N: String(i) }] } } }])) },
    n: { N: '1' },
  };
  const write = { set: { n: { N: '2' } }, remove: [] };

  it('WHEN the endpoint compares whole values (AWS, DynamoDB Local) THEN the full condition is kept: every scanned attribute, `doc` as one value', () => {
    const params = updateParams('t', nested, ['pk'], write, undefined, 'whole-values');
    expect(params.ConditionExpression).toBe('attribute_exists(#n0) AND #n1 = :v0 AND #n2 = :v1');
    expect(Object.values(params.ExpressionAttributeNames!)).toStrictEqual(['pk', 'doc', 'n']);
    expect(params.ExpressionAttributeValues![':v0']).toStrictEqual(nested.doc);
  });

  it('WHEN it compares element by element (dynalite) THEN that condition would pass 300 operators, so only the written attribute is conditioned', () => {
    const params = updateParams('t', nested, ['pk'], write, undefined, 'element-by-element');
    expect(params.ConditionExpression).toBe('attribute_exists(#n0) AND #n1 = :v0');
    expect(Object.values(params.ExpressionAttributeNames!)).toStrictEqual(['pk', 'n']);
  });

  it('WHEN a small map is compared element by element THEN type, size and every element are checked', () => {
    const params = updateParams('t', { pk: { S: 'k' }, m: { M: { a: { L: [{ S: 'x' }] } } } }, ['pk'], { set: { z: { S: 'z' } }, remove: [] }, undefined, 'element-by-element');
    expect(params.ConditionExpression).toBe(
      'attribute_exists(#n0) AND attribute_type(#n1, :v0) AND size(#n1) = :v1 AND attribute_type(#n1.#n2, :v2) AND size(#n1.#n2) = :v3 AND #n1.#n2[0] = :v4 AND attribute_not_exists(#n3)',
    );
  });
});
