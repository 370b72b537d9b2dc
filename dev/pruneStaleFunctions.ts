import fs from 'node:fs';
import path from 'node:path';

/**
 * `tsc -b` never deletes outputs, and package.json `main` loads every `dist/functions/*.js`: a
 * function file deleted from `functions/` would still be registered. Removes such leftovers.
 */
const root = path.join(__dirname, '..', '..');
const compiled = path.join(root, 'dist', 'functions');
for (const file of fs.existsSync(compiled) ? fs.readdirSync(compiled) : []) {
  const source = path.join(root, 'functions', file.replace(/\.js(\.map)?$/, '.ts'));
  if (/\.js(\.map)?$/.test(file) && !fs.existsSync(source)) {
    fs.rmSync(path.join(compiled, file));
    process.stdout.write(`removed stale dist/functions/${file}\n`);
  }
}
