#!/usr/bin/env node
// Ask Continua for predictions over Kafka and wait for every answer.
//
// Publishes one PredictionRequest per text to `<prefix>predict.requests` (Confluent wire format, keyed by
// the domain), reads `<prefix>predict.results` (Prediction records in Confluent wire format: serving runs
// with `--output-format confluent`) from where it ended before the requests went out, and prints each
// answer as it arrives, matched by requestId. Exits 1 if some answer has not come within --timeout.
// Needs `npm ci` in this directory (kafkajs, @kafkajs/confluent-schema-registry).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const DEFAULTS = {
  file: path.join(__dirname, '..', 'data', 'intents.jsonl'),
  limit: '10',
  domain: 'intents',
  bootstrap: '127.0.0.1:9092',
  'schema-registry': 'http://127.0.0.1:8081/schemas-api',
  'registry-user-info': process.env.SCHEMA_REGISTRY_USER_INFO || '',
  'topic-prefix': 'continua.',
  'schemas-dir': path.join(__dirname, '..', '..', 'schemas', 'src', 'main', 'avro'),
  timeout: '60',
};
const HELP = `usage: node predict.js [options] [TEXT...]

Classify texts through Kafka: PredictionRequest records to <prefix>predict.requests, Prediction records
read back from <prefix>predict.results (Confluent wire format).

  TEXT...                 texts to classify (default: the first --limit texts of --file)
  --file PATH             JSON Lines of {"text", "label"}, used when no text is given; the label is shown
                          beside the prediction (default: ${DEFAULTS.file})
  --limit N               texts taken from --file (default: ${DEFAULTS.limit})
  --domain NAME           domain to ask (default: ${DEFAULTS.domain})
  --bootstrap HOSTS       Kafka bootstrap servers (default: ${DEFAULTS.bootstrap})
  --schema-registry URL   Schema Registry URL: Continua's registry serves a compatible API under
                          /schemas-api (default: ${DEFAULTS['schema-registry']})
  --registry-user-info USER:TOKEN
                          basic authentication to the registry, needed only to register a schema of
                          your own the first time: any user, a token with the schema role (default:
                          $SCHEMA_REGISTRY_USER_INFO, else none)
  --topic-prefix PREFIX   prefix of Continua's topics (default: ${DEFAULTS['topic-prefix']})
  --schemas-dir DIR       directory holding PredictionRequest.avsc (default: ${DEFAULTS['schemas-dir']})
  --timeout SECONDS       how long to wait for every answer (default: ${DEFAULTS.timeout})
  --json                  print one JSON object per answer instead of a table
  -h, --help              show this help`;

function options() {
  const spec = { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean', default: false } };
  for (const name of Object.keys(DEFAULTS)) spec[name] = { type: 'string', default: DEFAULTS[name] };
  try {
    const { values, positionals } = parseArgs({ options: spec, allowPositionals: true });
    if (values.help) { console.log(HELP); process.exit(0); }
    return { ...values, texts: positionals };
  } catch (e) {
    console.error(`${e.message}\n\n${HELP}`);
    process.exit(2);
  }
}

function readTexts(opts) {
  if (opts.texts.length) return opts.texts.map((text) => ({ text, expected: null }));
  return fs.readFileSync(opts.file, 'utf8').split('\n').filter((l) => l.trim())
    .slice(0, Number(opts.limit)).map((l) => JSON.parse(l))
    .map((row) => ({ text: row.text, expected: row.label ?? null }));
}

// Where the Schema Registry is, and the basic authentication to send it if any.
function registryOptions(opts) {
  const userInfo = opts['registry-user-info'];
  if (!userInfo) return { host: opts['schema-registry'] };
  const colon = userInfo.indexOf(':');
  return { host: opts['schema-registry'], auth: { username: userInfo.slice(0, colon), password: userInfo.slice(colon + 1) } };
}

// The schema's id under the subject: registered there (POST /subjects/{subject}/versions), or only looked up
// when the subject already holds it, as Continua's registry does its own records' schemas (no token needed then).
async function schemaId(registry, url, subject, schema) {
  try {
    return (await registry.register({ type: SchemaType.AVRO, schema }, { subject })).id;
  } catch (e) {
    throw new Error(`Schema Registry ${url}: ${subject}: ${e.message}`);
  }
}

async function main() {
  const opts = options();
  const requestsTopic = `${opts['topic-prefix']}predict.requests`;
  const resultsTopic = `${opts['topic-prefix']}predict.results`;
  const schema = fs.readFileSync(path.join(opts['schemas-dir'], 'PredictionRequest.avsc'), 'utf8');
  const texts = readTexts(opts);

  const registry = new SchemaRegistry(registryOptions(opts));
  const requestSchemaId = await schemaId(registry, opts['schema-registry'], `${requestsTopic}-value`, schema);

  const kafka = new Kafka({ clientId: 'continua-example-predict', brokers: opts.bootstrap.split(','),
    logLevel: logLevel.WARN });
  // Read the results topic from its current end on every partition: whatever answers our requests comes after.
  const admin = kafka.admin();
  await admin.connect();
  let ends;
  try {
    ends = await admin.fetchTopicOffsets(resultsTopic);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `continua-example-predict-${crypto.randomUUID()}` });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });

  const pending = new Map();
  let answered = 0;
  let agree = 0;
  let skipped = 0;
  let allAnswered;
  const done = new Promise((resolve) => { allAnswered = resolve; });

  await consumer.connect();
  await producer.connect();
  try {
    await consumer.subscribe({ topic: resultsTopic });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const raw = message.value;
        if (!raw || raw.length < 5 || raw[0] !== 0) { skipped++; return; } // not Confluent wire format
        let p;
        try {
          p = await registry.decode(raw); // the writer's schema, fetched by the id in the record
        } catch (e) {
          console.error(`skipped an undecodable result at offset ${message.offset}: ${e.message}`);
          return;
        }
        const asked = pending.get(p.requestId);
        if (!asked) return; // someone else's
        pending.delete(p.requestId);
        answered++;
        if (asked.expected === p.label) agree++;
        const top = p.scores.length ? p.scores[0].score : NaN;
        if (opts.json) {
          console.log(JSON.stringify({ requestId: p.requestId, text: asked.text, expected: asked.expected,
            label: p.label, score: top, version: p.version, alias: p.alias, latencyMs: p.latencyMs,
            truncated: p.truncated }));
        } else {
          const mark = asked.expected === null ? '' : asked.expected === p.label ? '  ok' : `  (dataset: ${asked.expected})`;
          console.log(`  ${p.label.padEnd(24)} ${top.toFixed(3)}  v${p.version}  ${JSON.stringify(asked.text.slice(0, 60))}${mark}`);
        }
        if (!pending.size) allAnswered();
      },
    });
    for (const { partition, offset } of ends) consumer.seek({ topic: resultsTopic, partition, offset });

    const eventTime = Date.now();
    const messages = [];
    for (const { text, expected } of texts) {
      const requestId = `node-${crypto.randomUUID()}`;
      pending.set(requestId, { text, expected });
      const record = { requestId, domain: opts.domain, text, version: null, alias: null, eventTime };
      messages.push({ key: opts.domain, value: await registry.encode(requestSchemaId, record) });
    }
    await producer.send({ topic: requestsTopic, acks: -1, messages });
    if (!opts.json) console.log(`Sent ${texts.length} requests to ${requestsTopic} (domain ${opts.domain}); reading ${resultsTopic}`);

    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(resolve, Number(opts.timeout) * 1000); });
    await Promise.race([done, timedOut]);
    clearTimeout(timer);
  } finally {
    await producer.disconnect();
    await consumer.disconnect();
  }

  if (!opts.json) {
    const labeled = texts.filter((t) => t.expected !== null).length;
    console.log(`${answered} of ${texts.length} answered${labeled ? `; ${agree} of ${labeled} agree with the dataset's label` : ''}`);
  }
  if (skipped) console.error(`(${skipped} results in another format skipped: is serving writing --output-format confluent?)`);
  if (pending.size) {
    console.error(`timed out after ${opts.timeout} s: ${pending.size} requests unanswered `
      + `(does domain ${opts.domain} have a production version? is serving consuming ${requestsTopic}?)`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`predict: ${e.message}`);
  process.exit(1);
});
