// Lints every .cypher file under src/ with Neo4j's own Cypher front end
// (@neo4j-cypher/language-support, lintCypherQuery), declaring each file's
// parameters from the parameters.json beside it. Fails on any error diagnostic,
// on a file with no declaration, and on declared parameters a file does not use.
//
//   node tools/cypher-lint/lint.mjs [ROOT]

import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));

function cypherFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return cypherFiles(path);
    return name.endsWith('.cypher') ? [path] : [];
  });
}

const files = cypherFiles(join(root, 'src')).sort();

// Relation queries filter by their `where` condition through a placeholder that the
// store replaces with relation_where.cypher's expression (src/store/neo4j.rs,
// `with_where`): lint the statements as the store sends them.
const whereFile = files.find((f) => basename(f) === 'relation_where.cypher');
const whereExpression = whereFile
  ? readFileSync(whereFile, 'utf8').split('WITH r, ')[1].split(' AS kept')[0]
  : null;
function withWhere(text) {
  if (!whereExpression) return text;
  let out = text;
  for (const reference of ['$where', 'q.where']) {
    out = out.split(`size(${reference}) = 0 AS kept`).join(`${whereExpression.split('$where').join(reference)} AS kept`);
  }
  return out;
}
let errors = 0;
let warnings = 0;
const declarations = new Map();

for (const file of files) {
  const where = relative(root, file);
  const paramsFile = join(dirname(file), 'parameters.json');
  if (!declarations.has(paramsFile)) {
    declarations.set(paramsFile, existsSync(paramsFile) ? JSON.parse(readFileSync(paramsFile, 'utf8')) : {});
  }
  const params = declarations.get(paramsFile)[basename(file)];
  if (params === undefined) {
    console.log(`${where}: no parameters declared in ${relative(root, paramsFile)}`);
    errors++;
    continue;
  }
  const text = withWhere(readFileSync(file, 'utf8'));
  const { diagnostics } = lintCypherQuery(text, { parameters: params });
  for (const d of diagnostics) {
    const line = d.range.start.line + 1;
    const kind = d.severity === 1 ? 'error' : 'warning';
    console.log(`${where}:${line}: ${kind}: ${d.message}`);
    if (d.severity === 1) errors++;
    else warnings++;
  }
  // Strip comments before looking for uses, so a `$name` in prose does not count.
  const code = text.replace(/\/\/.*$/gm, '');
  for (const name of Object.keys(params)) {
    if (!new RegExp(`\\$${name}\\b`).test(code)) {
      console.log(`${where}: declares $${name} but does not use it`);
      errors++;
    }
  }
}

console.log(`cypher-lint: ${files.length} files, ${errors} errors, ${warnings} warnings`);
process.exit(errors > 0 || files.length === 0 ? 1 : 0);
