import fs from 'node:fs';
import path from 'node:path';
import { settingNames } from '../../shared/config/config';
import { settingsCatalog } from '../../dev/localSettings';
import { HOST_SETTINGS } from '../../dev/localHost/hostSettings';

const root = path.join(__dirname, '..', '..');

/** Rows of the settings table in a README section: | `NAME` | default | meaning | */
function readmeSettings(heading = /^## Settings\s*$/m): Map<string, string> {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = (readme.split(heading)[1] ?? '').split(/^## /m)[0];
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\|\s*`([^`]+)`\s*\|[^|\n]*\|\s*(.*?)\s*\|\s*$/gm)) {
    rows.set(match[1], match[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/\\\|/g, '|'));
  }
  return rows;
}

/** A README row for a setting, to paste when the test finds it missing. */
function suggestedRow(name: string): string {
  const setting = settingsCatalog().find((entry) => entry.name === name);
  if (!setting) return `(${name} is not in the schema)`;
  const fallback =
    setting.defaultValue !== undefined ? `\`${setting.defaultValue}\`` : setting.optional ? '' : 'required';
  return `| \`${name}\` | ${fallback} | ${setting.description.replace(/</g, '&lt;').replace(/>/g, '&gt;')} |`;
}

describe('settings documentation', () => {
  const schema = settingNames().sort();

  it('local.settings.sample.json lists every setting of the schema, and only those', () => {
    const sample = JSON.parse(fs.readFileSync(path.join(root, 'local.settings.sample.json'), 'utf8')) as {
      IsEncrypted: boolean;
      Values: Record<string, string>;
    };
    expect(sample.IsEncrypted).toBe(false);
    expect(Object.keys(sample.Values).sort()).toEqual(schema);
    for (const value of Object.values(sample.Values)) expect(typeof value).toBe('string');
  });

  it('the README settings table lists every setting of the schema, and only those', () => {
    const documented = [...readmeSettings().keys()].sort();
    const missing = schema.filter((name) => !documented.includes(name));
    expect({
      missing: missing.map(suggestedRow),
      extra: documented.filter((name) => !schema.includes(name)),
    }).toEqual({
      missing: [],
      extra: [],
    });
  });

  it("the README gives each setting the meaning from the schema's .describe()", () => {
    const rows = readmeSettings();
    for (const setting of settingsCatalog()) {
      expect(setting.description).not.toBe('');
      if (rows.has(setting.name))
        expect(`${setting.name}: ${rows.get(setting.name)}`).toBe(`${setting.name}: ${setting.description}`);
    }
  });

  it('the README lists the settings the local host reads itself, with their meaning, apart from the app', () => {
    const rows = readmeSettings(/^## Local stack.*$/m);
    expect(Object.fromEntries(rows)).toEqual(HOST_SETTINGS);
    for (const name of Object.keys(HOST_SETTINGS)) expect(schema).not.toContain(name);
  });
});
