import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from './variables';

describe('README configuration table', () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const rows = new Map(
    // An empty default is written "(empty)".
    [...readme.matchAll(/^\| `([A-Z0-9_]+)` +\| (?:`([^`]*)`|\(empty\)) +\| (.+?) *\|$/gm)].map((m) => [
      m[1],
      { value: m[2] ?? '', text: m[3] },
    ]),
  );

  it('documents every variable with its real default', () => {
    for (const [name, spec] of Object.entries(VARIABLES)) {
      expect({ name, default: rows.get(name)?.value }).toEqual({ name, default: spec.default });
    }
  });

  it('documents no variable that does not exist', () => {
    expect([...rows.keys()].filter((name) => !(name in VARIABLES))).toEqual([]);
  });
});
