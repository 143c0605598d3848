/**
 * Which top-level attributes an UpdateExpression sets and removes: enough to tell whether an update
 * can move an item into or out of a secondary index without evaluating it.
 */

/** Top-level attribute names an update assigns (SET, ADD) and removes (REMOVE). */
export interface UpdatedNames {
  assigned: Set<string>;
  removed: Set<string>;
}

// SET, REMOVE, ADD and DELETE are reserved words, so as whole words they can only be clause keywords.
const CLAUSE = /\b(SET|REMOVE|ADD|DELETE)\b/i;

/** Splits at commas outside parentheses: `a = list_append(a, :v), b = :w` has two actions. */
function actions(clause: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < clause.length; i++) {
    const c = clause[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(clause.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(clause.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** The attribute a document path starts at: `#a.b[2]` names `#a`, resolved through the placeholders. */
function topLevelName(path: string, names: Record<string, string>): string {
  const head = path.trim().split(/[.[\s]/, 1)[0] ?? '';
  return head.startsWith('#') ? (names[head] ?? head) : head;
}

/** The attributes an UpdateExpression writes or removes at the top level. */
export function updatedNames(expression: string, names: Record<string, string> = {}): UpdatedNames {
  const result: UpdatedNames = { assigned: new Set(), removed: new Set() };
  const pieces = expression.split(CLAUSE); // [before, keyword, body, keyword, body, ...]
  for (let i = 1; i < pieces.length; i += 2) {
    const keyword = pieces[i]!.toUpperCase();
    for (const action of actions(pieces[i + 1] ?? '')) {
      if (keyword === 'SET') result.assigned.add(topLevelName(action.split('=', 1)[0]!, names));
      else if (keyword === 'ADD') result.assigned.add(topLevelName(action, names));
      else if (keyword === 'REMOVE') result.removed.add(topLevelName(action, names));
      // DELETE takes elements out of a set; a set is never an index key, so it cannot move the item.
    }
  }
  return result;
}
