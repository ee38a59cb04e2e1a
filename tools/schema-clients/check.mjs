// Checks that the GraphQL clients frontends use accept actorgraph's schema
// (schema/schema.graphql, which a Rust test keeps equal to the served
// /schema.graphql):
//
// 1. Relay's compiler compiles the fragments of src/: @refetchable fragments on
//    Actor, Relation and Source (refetched through `node(id:)`), a @connection
//    paged with `first`/`after`, and a query spreading them; it must write the
//    artifacts without an error.
// 2. graphql-codegen (core, with the typescript and typescript-operations
//    plugins) generates TypeScript types for the operations of documents/, which
//    must first validate against the schema.
//
//   node tools/schema-clients/check.mjs

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as typescript from '@graphql-codegen/typescript';
import * as operations from '@graphql-codegen/typescript-operations';
import { buildSchema, parse, printSchema, validate } from 'graphql';

const here = dirname(fileURLToPath(import.meta.url));
const schemaText = readFileSync(join(here, '..', '..', 'schema', 'schema.graphql'), 'utf8');

// 1. Relay.
const artifacts = join(here, '__generated__');
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts);
execFileSync(process.execPath, [join(here, 'node_modules', 'relay-compiler', 'cli.js')], {
  cwd: here,
  stdio: 'inherit',
});
const written = readdirSync(artifacts).sort();
for (const name of ['ActorCardRefetchQuery', 'RelationRowRefetchQuery', 'SourceCardRefetchQuery', 'ActorRelationsPaginationQuery', 'AppQuery']) {
  const file = `${name}.graphql.ts`;
  if (!written.includes(file)) throw new Error(`relay-compiler wrote no ${file}`);
}
const refetch = readFileSync(join(artifacts, 'SourceCardRefetchQuery.graphql.ts'), 'utf8');
if (!refetch.includes('node(id: $id)')) throw new Error('the refetch query does not go through node(id:)');
console.log(`relay-compiler: ${written.length} artifacts`);

// 2. graphql-codegen.
const schema = buildSchema(schemaText);
const documents = readdirSync(join(here, 'documents'))
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => {
    const document = parse(readFileSync(join(here, 'documents', f), 'utf8'));
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`${f}: ${errors.map((e) => e.message).join('; ')}`);
    return { location: f, document };
  });
const output = await codegen({
  filename: 'operations.ts',
  schema: parse(printSchema(schema)),
  documents,
  config: { enumsAsTypes: true },
  plugins: [{ typescript: {} }, { typescriptOperations: {} }],
  pluginMap: { typescript, typescriptOperations: operations },
});
for (const type of ['ContractsWithAmazonQuery', 'CloudActOldestFirstQuery', 'RecordByIdQuery', 'RelationAggregate']) {
  if (!output.includes(`export type ${type} =`)) throw new Error(`graphql-codegen made no type ${type}`);
}
writeFileSync(join(artifacts, 'operations.ts'), output);
console.log(`graphql-codegen: ${documents.length} documents, ${output.split('\n').length} lines of types`);
