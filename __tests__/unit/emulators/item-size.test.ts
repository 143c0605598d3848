import { itemSize, writeUnits } from '../../../emulators/item-size';

describe('itemSize (DynamoDB item sizes and formats)', () => {
  it.each([
    ['a string: UTF-8 bytes of name and value', { pk: { S: 'héllo' } }, 2 + 6],
    ['a number: 1 byte per two significant digits, plus 1', { n: { N: '123.4500' } }, 1 + 4],
    ['leading and trailing zeroes do not count', { n: { N: '-000120' } }, 1 + 2],
    ['binary: raw bytes, not base64', { b: { B: Buffer.from([1, 2, 3, 4]).toString('base64') } }, 1 + 4],
    ['boolean and null: 1 byte', { t: { BOOL: true }, z: { NULL: true } }, 2 + 2],
    ['a list: 3 bytes, plus 1 per element', { l: { L: [{ S: 'ab' }, { N: '1' }] } }, 1 + 3 + (1 + 2) + (1 + 2)],
    ['a map: 3 bytes, plus 1 per element and its names', { m: { M: { k: { S: 'v' } } } }, 1 + 3 + 1 + 2],
    ['a string set: its elements', { ss: { SS: ['a', 'bc'] } }, 2 + 3],
  ])('%s', (_case, item, bytes) => {
    expect(itemSize(item)).toBe(bytes);
  });

  it('costs one write unit per started KB, at least one', () => {
    expect(writeUnits({ pk: { S: 'k' } })).toBe(1);
    expect(writeUnits({ d: { S: 'x'.repeat(1023) } })).toBe(1);
    expect(writeUnits({ d: { S: 'x'.repeat(1024) } })).toBe(2);
    expect(writeUnits({ d: { S: 'x'.repeat(3000) } })).toBe(3);
  });
});
