#!/usr/bin/python3
"""Publish labeled examples to Continua's `examples` topic, as any Kafka team would.

Each line of a JSON Lines file ({"text": ..., "label": ...}) becomes a LabeledExample record in
Confluent's wire format (magic byte 0, the schema id the Schema Registry API gave, the Avro body),
keyed by the domain. Ingest validates and deduplicates them; the trainer trains the domain from them.

Needs confluent-kafka and Apache Avro (Debian: python3-confluent-kafka python3-avro python3-requests).
It uses confluent-kafka's `confluent_kafka.avro` module, which works with Apache Avro alone (the newer
`confluent_kafka.schema_registry` needs fastavro).
"""
import argparse
import datetime
import hashlib
import json
import os
import sys

from confluent_kafka import Producer
from confluent_kafka.avro import CachedSchemaRegistryClient, ClientError, load as load_schema
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

from continua_connection import DEFAULT_FILE, add_connection_args, registry_config, run


def parse_args():
    p = argparse.ArgumentParser(
        description="Publish labeled examples (LabeledExample, Confluent wire format) to <prefix>examples, keyed by domain.")
    p.add_argument("--file", default=DEFAULT_FILE,
                   help='JSON Lines, one {"text": ..., "label": ...} per line (default: %(default)s)')
    p.add_argument("--domain", default="intents", help="domain the examples belong to (default: %(default)s)")
    add_connection_args(p, "directory holding LabeledExample.avsc")
    p.add_argument("--limit", type=int, default=0, help="publish at most this many examples (default: all)")
    return p.parse_args()


def read_examples(path, limit):
    examples = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = row["text"], row["label"]
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{n}: not a {{\"text\", \"label\"}} object ({e})")
            examples.append((text, label))
            if limit and len(examples) >= limit:
                break
    return examples


def main():
    args = parse_args()
    topic = args.topic_prefix + "examples"
    subject = topic + "-value"  # Confluent's TopicNameStrategy
    schema = load_schema(os.path.join(args.schemas_dir, "LabeledExample.avsc"))
    examples = read_examples(args.file, args.limit)

    registry = CachedSchemaRegistryClient(registry_config(args))
    serializer = MessageSerializer(registry)
    try:
        # Registers the schema under the subject (or finds it there) and caches its id.
        schema_id = registry.register(subject, schema)
    except (ClientError, OSError) as e:
        sys.exit(f"Schema Registry {args.schema_registry}: could not register {subject}: {e}")
    print(f"Schema Registry {args.schema_registry}: {subject} is schema id {schema_id}")

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "enable.idempotence": True,  # acks=all, no duplicates on retries
        "linger.ms": 20,
        # Java's partitioner (murmur2), so a domain lands on the partition Continua's own producers pick.
        "partitioner": "murmur2_random",
    })
    acked, failed = [0], []

    def delivered(err, msg):
        if err is not None:
            failed.append(err)
        else:
            acked[0] += 1

    fields = {field.name for field in schema.fields}
    now = datetime.datetime.now(datetime.timezone.utc)  # timestamp-millis: Apache Avro takes a datetime
    for text, label in examples:
        record = {
            # The same text and label always get the same id, so a re-run is recognized as duplicates.
            "id": "py-" + hashlib.sha256(f"{label}\n{text}".encode()).hexdigest()[:16],
            "domain": args.domain,
            "text": text,
            "label": label,
            "eventTime": now,
            "requestId": None,  # set only when the label answers an earlier prediction request
            "split": None,      # ingest assigns it
        }
        # A schema of one's own may leave out fields Continua gives defaults: send only the schema's.
        record = {name: value for name, value in record.items() if name in fields}
        value = serializer.encode_record_with_schema_id(schema_id, record)
        while True:
            try:
                producer.produce(topic, value=value, key=args.domain.encode(), on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.5)
        producer.poll(0)
    remaining = producer.flush(30)

    labels = len({label for _, label in examples})
    print(f"Published {acked[0]} of {len(examples)} examples ({labels} labels) to {topic}, domain {args.domain}, "
          f"acknowledged by {args.bootstrap}")
    if failed or remaining:
        print(f"{len(failed)} failed ({failed[0] if failed else ''}), {remaining} unacknowledged", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run(main)
