// What both Node clients share: where Kafka, the Schema Registry and Continua's schemas are, and the schema ids.
'use strict';
const path = require('node:path');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const CONNECTION_DEFAULTS = {
  bootstrap: '127.0.0.1:9092',
  'schema-registry': 'http://127.0.0.1:8081/schemas-api',
  'registry-user-info': process.env.SCHEMA_REGISTRY_USER_INFO || '',
  'topic-prefix': 'continua.',
  'schemas-dir': path.join(__dirname, '..', '..', 'schemas', 'src', 'main', 'avro'),
};

/** The --help lines of those options; {@code schemas} says which .avsc files --schemas-dir holds. */
function connectionHelp(schemas) {
  return `  --bootstrap HOSTS       Kafka bootstrap servers (default: ${CONNECTION_DEFAULTS.bootstrap})
  --schema-registry URL   Schema Registry URL: Continua's registry serves a compatible API under
                          /schemas-api (default: ${CONNECTION_DEFAULTS['schema-registry']})
  --registry-user-info USER:TOKEN
                          basic authentication to the registry, needed only to register a schema of
                          your own the first time: any user, a token with the schema role (default:
                          $SCHEMA_REGISTRY_USER_INFO, else none)
  --topic-prefix PREFIX   prefix of Continua's topics (default: ${CONNECTION_DEFAULTS['topic-prefix']})
  --schemas-dir DIR       directory holding ${schemas} (default: ${CONNECTION_DEFAULTS['schemas-dir']})`;
}

/** A Schema Registry client, with basic authentication when --registry-user-info gives it. */
function schemaRegistry(opts) {
  const userInfo = opts['registry-user-info'];
  if (!userInfo) return new SchemaRegistry({ host: opts['schema-registry'] });
  const colon = userInfo.indexOf(':');
  return new SchemaRegistry({ host: opts['schema-registry'],
    auth: { username: userInfo.slice(0, colon), password: userInfo.slice(colon + 1) } });
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

module.exports = { CONNECTION_DEFAULTS, connectionHelp, schemaRegistry, schemaId };
