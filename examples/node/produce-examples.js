#!/usr/bin/env node
// Publish labeled examples to Continua's `examples` topic, as any Kafka team would.
//
// Each line of a JSON Lines file ({"text": ..., "label": ...}) becomes a LabeledExample record in
// Confluent's wire format (magic byte 0, the schema id the Schema Registry API gave, the Avro body),
// keyed by the domain. Ingest validates and deduplicates them; the trainer trains the domain from them.
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
  domain: 'intents',
  limit: '0',
};
const HELP = `usage: node produce-examples.js [options]

Publish labeled examples (LabeledExample, Confluent wire format) to <prefix>examples, keyed by domain.

  --file PATH             JSON Lines, one {"text", "label"} per line (default: ${DEFAULTS.file})
  --domain NAME           domain the examples belong to (default: ${DEFAULTS.domain})
${connectionHelp('LabeledExample.avsc')}
  --limit N               publish at most N examples (default: all)
  -h, --help              show this help`;

function options() {
  const spec = { help: { type: 'boolean', short: 'h' } };
  for (const name of Object.keys(DEFAULTS)) spec[name] = { type: 'string', default: DEFAULTS[name] };
  try {
    const { values } = parseArgs({ options: spec });
    if (values.help) { console.log(HELP); process.exit(0); }
    return values;
  } catch (e) {
    console.error(`${e.message}\n\n${HELP}`);
    process.exit(2);
  }
}

function readExamples(file, limit) {
  const examples = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let n = 0; n < lines.length && !(limit && examples.length >= limit); n++) {
    if (!lines[n].trim()) continue;
    let row;
    try { row = JSON.parse(lines[n]); } catch (e) { row = null; }
    if (!row || typeof row.text !== 'string' || typeof row.label !== 'string') {
      throw new Error(`${file}:${n + 1}: not a {"text", "label"} object`);
    }
    examples.push(row);
  }
  return examples;
}

async function main() {
  const opts = options();
  const topic = `${opts['topic-prefix']}examples`;
  const schema = fs.readFileSync(path.join(opts['schemas-dir'], 'LabeledExample.avsc'), 'utf8');
  const examples = readExamples(opts.file, Number(opts.limit));

  const registry = schemaRegistry(opts);
  const id = await schemaId(registry, opts['schema-registry'], `${topic}-value`, schema);
  console.log(`Schema Registry ${opts['schema-registry']}: ${topic}-value is schema id ${id}`);

  const kafka = new Kafka({ clientId: 'continua-example-producer', brokers: opts.bootstrap.split(','),
    logLevel: logLevel.WARN });
  // kafkajs's default partitioner is Java's (murmur2), the one Continua's own producers use.
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const eventTime = Date.now(); // timestamp-millis: avsc takes the epoch milliseconds
    const messages = [];
    for (const { text, label } of examples) {
      const record = {
        // The same text and label always get the same id, so a re-run is recognized as duplicates.
        id: 'node-' + crypto.createHash('sha256').update(`${label}\n${text}`).digest('hex').slice(0, 16),
        domain: opts.domain,
        text,
        label,
        eventTime,
        requestId: null, // set only when the label answers an earlier prediction request
        split: null,     // ingest assigns it
      };
      messages.push({ key: opts.domain, value: await registry.encode(id, record) });
    }
    let acked = 0;
    for (let i = 0; i < messages.length; i += 500) {
      const results = await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
      acked += Math.min(500, messages.length - i);
      if (!results.length) throw new Error('the broker acknowledged nothing');
    }
    const labels = new Set(examples.map((e) => e.label)).size;
    console.log(`Published ${acked} of ${examples.length} examples (${labels} labels) to ${topic}, `
      + `domain ${opts.domain}, acknowledged by ${opts.bootstrap}`);
  } finally {
    await producer.disconnect();
  }
}

main().catch((e) => {
  console.error(`produce-examples: ${e.message}`);
  process.exit(1);
});
