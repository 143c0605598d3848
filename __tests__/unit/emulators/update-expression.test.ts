import { updatedNames } from '../../../emulators/update-expression';

describe('updatedNames (which top-level attributes an update touches)', () => {
  it.each([
    ['SET and REMOVE', 'SET a = :a, b.c = :c REMOVE d, e[1]', {}, ['a', 'b'], ['d', 'e']],
    ['placeholders are resolved', 'SET #g = :g REMOVE #old', { '#g': 'gsiKey', '#old': 'legacy' }, ['gsiKey'], ['legacy']],
    ['commas inside functions do not split actions', 'SET l = list_append(l, :x), n = if_not_exists(n, :z)', {}, ['l', 'n'], []],
    ['ADD creates attributes; DELETE only shrinks sets', 'ADD counter :one DELETE tags :t', {}, ['counter'], []],
    ['keywords are case-insensitive, clauses in any order', 'remove x set y = :y', {}, ['y'], ['x']],
  ])('%s', (_case, expression, names, assigned, removed) => {
    const result = updatedNames(expression, names);
    expect([...result.assigned].sort()).toStrictEqual(assigned);
    expect([...result.removed].sort()).toStrictEqual(removed);
  });
});
