// Lints Cypher statements with Neo4j's own parser and semantic analysis.
// Reads JSON on stdin: {"labels": [...], "relationshipTypes": [...],
//   "statements": [{"name": "...", "query": "...", "parameters": {...}}]}
// Prints JSON on stdout: [{"name": "...", "diagnostics": [{"severity", "message", "offset"}]}]
// Severity 1 is an error, 2 a warning (deprecations are warnings).
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = [];
for (const stmt of input.statements) {
  const schema = {
    labels: input.labels ?? [],
    relationshipTypes: input.relationshipTypes ?? [],
    parameters: stmt.parameters ?? {},
  };
  const { diagnostics } = lintCypherQuery(stmt.query, schema);
  out.push({
    name: stmt.name,
    diagnostics: diagnostics.map((d) => ({ severity: d.severity, message: d.message, offset: d.offsets?.start })),
  });
}
process.stdout.write(JSON.stringify(out));
