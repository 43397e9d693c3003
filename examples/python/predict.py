#!/usr/bin/python3
"""Ask Continua for predictions over Kafka and wait for every answer.

Publishes one PredictionRequest per text to `<prefix>predict.requests` (Confluent wire format, keyed by
the domain), reads `<prefix>predict.results` (Prediction records in Confluent wire format: serving runs
with `--output-format confluent`) from where it ended before the requests went out, and prints each
answer as it arrives, matched by requestId. Exits 1 if some answer has not come within --timeout.

Needs confluent-kafka and Apache Avro (Debian: python3-confluent-kafka python3-avro python3-requests).
"""
import argparse
import datetime
import json
import os
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.avro import CachedSchemaRegistryClient, ClientError, SerializerError, load as load_schema
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

from continua_connection import DEFAULT_FILE, add_connection_args, registry_config, run


def parse_args():
    p = argparse.ArgumentParser(
        description="Classify texts through Kafka: PredictionRequest records to <prefix>predict.requests, "
                    "Prediction records read back from <prefix>predict.results (Confluent wire format).")
    p.add_argument("texts", nargs="*", help="texts to classify (default: the first --limit texts of --file)")
    p.add_argument("--file", default=DEFAULT_FILE,
                   help='JSON Lines of {"text", "label"}, used when no text is given; the label is shown beside '
                        'the prediction (default: %(default)s)')
    p.add_argument("--limit", type=int, default=10, help="texts taken from --file (default: %(default)s)")
    p.add_argument("--domain", default="intents", help="domain to ask (default: %(default)s)")
    add_connection_args(p, "directory holding PredictionRequest.avsc and Prediction.avsc")
    p.add_argument("--timeout", type=float, default=60, help="seconds to wait for every answer (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer instead of a table")
    return p.parse_args()


def read_texts(args):
    if args.texts:
        return [(t, None) for t in args.texts]
    rows = []
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows.append((row["text"], row.get("label")))
                if len(rows) >= args.limit:
                    break
    return rows


def main():
    args = parse_args()
    requests_topic = args.topic_prefix + "predict.requests"
    results_topic = args.topic_prefix + "predict.results"
    request_schema = load_schema(os.path.join(args.schemas_dir, "PredictionRequest.avsc"))
    prediction_schema = load_schema(os.path.join(args.schemas_dir, "Prediction.avsc"))
    texts = read_texts(args)

    registry = CachedSchemaRegistryClient(registry_config(args))
    # Decodes a Prediction whatever schema id it was written with, into the fields of our copy of the schema.
    serializer = MessageSerializer(registry, reader_value_schema=prediction_schema)
    try:
        request_schema_id = registry.register(requests_topic + "-value", request_schema)
    except (ClientError, OSError) as e:
        sys.exit(f"Schema Registry {args.schema_registry}: could not register {requests_topic}-value: {e}")

    # Read the results topic from its current end on every partition (no consumer group state is kept):
    # whatever answers our requests is written after this point.
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "continua-example-predict-" + uuid.uuid4().hex,  # never commits
        "enable.auto.commit": False,
    })
    topic_meta = consumer.list_topics(results_topic, timeout=10).topics.get(results_topic)
    if topic_meta is None or topic_meta.error is not None or not topic_meta.partitions:
        sys.exit(f"{results_topic} not found on {args.bootstrap}: is Continua up?")
    start = []
    for p in sorted(topic_meta.partitions):
        _, high = consumer.get_watermark_offsets(TopicPartition(results_topic, p), timeout=10)
        start.append(TopicPartition(results_topic, p, high))
    consumer.assign(start)

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "enable.idempotence": True,
        "partitioner": "murmur2_random",  # Java's partitioner, as Continua's own producers
    })
    pending = {}
    now = datetime.datetime.now(datetime.timezone.utc)
    for text, expected in texts:
        request_id = "py-" + uuid.uuid4().hex
        pending[request_id] = (text, expected)
        record = {"requestId": request_id, "domain": args.domain, "text": text,
                  "version": None, "alias": None, "eventTime": now}
        value = serializer.encode_record_with_schema_id(request_schema_id, record)
        producer.produce(requests_topic, value=value, key=args.domain.encode())
    if producer.flush(30):
        sys.exit(f"the requests were not acknowledged by {args.bootstrap}")
    if not args.json:
        print(f"Sent {len(texts)} requests to {requests_topic} (domain {args.domain}); reading {results_topic}")

    answered, agree, skipped = 0, 0, 0
    deadline = time.monotonic() + args.timeout
    while pending and time.monotonic() < deadline:
        msg = consumer.poll(min(1.0, max(0.0, deadline - time.monotonic())))
        if msg is None:
            continue
        if msg.error():
            print(f"consumer: {msg.error()}", file=sys.stderr)
            continue
        raw = msg.value()
        if not raw or raw[0] != 0:  # not Confluent wire format (another output format, or another writer)
            skipped += 1
            continue
        try:
            p = serializer.decode_message(raw)
        except SerializerError as e:
            print(f"skipped an undecodable result at {msg.partition()}/{msg.offset()}: {e}", file=sys.stderr)
            continue
        if p["requestId"] not in pending or p.get("shadow"):
            continue  # someone else's, or a candidate's score in the shadow of the answer
        text, expected = pending.pop(p["requestId"])
        answered += 1
        agree += expected == p["label"]
        top = p["scores"][0]["score"] if p["scores"] else float("nan")
        if args.json:
            print(json.dumps({"requestId": p["requestId"], "text": text, "expected": expected, "label": p["label"],
                              "score": top, "version": p["version"], "alias": p["alias"],
                              "latencyMs": p["latencyMs"], "truncated": p["truncated"]}, ensure_ascii=False),
                  flush=True)
        else:
            mark = "" if expected is None else ("  ok" if expected == p["label"] else f"  (dataset: {expected})")
            print(f"  {p['label']:<24} {top:5.3f}  v{p['version']}  {json.dumps(text[:60], ensure_ascii=False)}{mark}", flush=True)
    consumer.close()

    if not args.json:
        labeled = sum(1 for _, e in texts if e is not None)
        tail = f"; {agree} of {labeled} agree with the dataset's label" if labeled else ""
        print(f"{answered} of {len(texts)} answered{tail}")
    if skipped:
        print(f"({skipped} results in another format skipped: is serving writing --output-format confluent?)",
              file=sys.stderr)
    if pending:
        print(f"timed out after {args.timeout:g} s: {len(pending)} requests unanswered "
              f"(does domain {args.domain} have a production version? is serving consuming {requests_topic}?)",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run(main)
