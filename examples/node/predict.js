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
const { CONNECTION_DEFAULTS, connectionHelp, schemaRegistry, schemaId } = require('./connection');

const DEFAULTS = {
  ...CONNECTION_DEFAULTS,
  file: path.join(__dirname, '..', 'data', 'intents.jsonl'),
  limit: '10',
  domain: 'intents',
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
${connectionHelp('PredictionRequest.avsc and Prediction.avsc')}
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

async function main() {
  const opts = options();
  const requestsTopic = `${opts['topic-prefix']}predict.requests`;
  const resultsTopic = `${opts['topic-prefix']}predict.results`;
  const schema = fs.readFileSync(path.join(opts['schemas-dir'], 'PredictionRequest.avsc'), 'utf8');
  const texts = readTexts(opts);

  const registry = schemaRegistry(opts);
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
        if (!asked || p.shadow) return; // someone else's, or a candidate's score in the shadow of the answer
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
