import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { parseTokenArgs } from '../../dev/token';

describe('npm run token arguments', () => {
  it('reads roles (repeated or comma-separated), subject, name and lifetime', () => {
    expect(
      parseTokenArgs([
        '--role',
        'Exports.Admin',
        '--role',
        'Exports.Viewer,Exports.Runner',
        '--sub',
        'alice',
        '--name',
        'Alice',
        '--expires-in',
        '120',
      ]),
    ).toEqual({
      help: false,
      roles: ['Exports.Admin', 'Exports.Viewer', 'Exports.Runner'],
      sub: 'alice',
      name: 'Alice',
      expiresInSeconds: 120,
    });
  });

  it.each([
    [[], /at least one --role/],
    [['--role', 'Exports.God'], /Unknown role/],
    [['--role', 'Exports.Admin', '--expires-in', 'soon'], /--expires-in/],
    [['--role', 'Exports.Admin', '--bogus'], /bogus/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseTokenArgs(argv)).toThrow(message);
  });
});

describe('npm run token output', () => {
  it('prints only the token, signed with the key the local stack reads from .local/', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'token-cli-'));
    const cwd = process.cwd();
    const argv = process.argv;
    const writes: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      process.chdir(root);
      process.argv = [argv[0], 'token.js', '--role', 'Exports.Admin', '--sub', 'alice', '--name', 'Alice'];
      await jest.isolateModulesAsync(async () => {
        const { runTokenCli } = await import('../../dev/token');
        await runTokenCli();
      });
    } finally {
      write.mockRestore();
      process.argv = argv;
      process.chdir(cwd);
    }
    expect(writes).toHaveLength(1);
    const token = writes[0].trimEnd();
    expect(writes[0]).toBe(`${token}\n`);
    expect(decodeJwt(token)).toMatchObject({ sub: 'alice', name: 'Alice', roles: ['Exports.Admin'] });
    expect(fs.existsSync(path.join(root, '.local', 'auth', 'signing-key.json'))).toBe(true);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
