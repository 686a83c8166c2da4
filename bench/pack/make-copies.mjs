// Makes a repository of N copies of another one's HEAD (copy-1/ … copy-N/, one commit), for packing at monorepo
// scale: `node bench/pack/make-copies.mjs /tmp/herd-bench/babel 4` makes /tmp/herd-bench/babel-x4 (110K files from
// babel's 27.7K). git builds the tree from the source's objects; only the checkout writes files.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';

const [source, countText] = process.argv.slice(2);
const count = Number(countText);
if (!source || !existsSync(resolve(source, '.git')) || !Number.isInteger(count) || count < 1) {
  console.error('usage: node bench/pack/make-copies.mjs <git work tree> <copies>');
  process.exit(2);
}
const target = resolve(source, '..', `${basename(resolve(source))}-x${count}`);
if (existsSync(target)) {
  console.error(`${target} exists already; remove it to make it again.`);
  process.exit(2);
}
const git = (...args) =>
  execFileSync('git', ['-C', target, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 }).trim();
execFileSync('git', ['init', '--quiet', target]);
git('fetch', '--quiet', '--depth', '1', `file://${resolve(source)}`, 'HEAD');
const tree = git('rev-parse', 'FETCH_HEAD^{tree}');
for (let copy = 1; copy <= count; copy++) git('read-tree', `--prefix=copy-${copy}/`, tree);
const commit = git(
  '-c',
  'user.name=bench',
  '-c',
  'user.email=bench@example.com',
  'commit-tree',
  '-m',
  `${count} copies of ${basename(resolve(source))}`,
  git('write-tree'),
);
git('reset', '--quiet', '--hard', commit);
console.log(`${target}: ${git('ls-files').split('\n').length} files`);
