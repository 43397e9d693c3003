"""What both Python clients share: where Kafka, the Schema Registry and Continua's schemas are, and how they end."""
import os
import sys

from confluent_kafka import KafkaException

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.normpath(os.path.join(HERE, "..", "..", "schemas", "src", "main", "avro"))
DEFAULT_FILE = os.path.normpath(os.path.join(HERE, "..", "data", "intents.jsonl"))


def add_connection_args(parser, schemas_help):
    """--bootstrap, --schema-registry, --registry-user-info, --topic-prefix and --schemas-dir."""
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers (default: %(default)s)")
    parser.add_argument("--schema-registry", default="http://127.0.0.1:8081/schemas-api",
                        help="Schema Registry URL: Continua's registry serves a compatible API under /schemas-api "
                             "(default: %(default)s)")
    parser.add_argument("--registry-user-info", default=os.environ.get("SCHEMA_REGISTRY_USER_INFO"),
                        help="USER:TOKEN, basic authentication to the registry, needed only to register a schema of "
                             "your own the first time: any user, a token with the schema role (default: "
                             "$SCHEMA_REGISTRY_USER_INFO, else none)")
    parser.add_argument("--topic-prefix", default="continua.", help="prefix of Continua's topics (default: %(default)s)")
    parser.add_argument("--schemas-dir", default=DEFAULT_SCHEMAS,
                        help=schemas_help + " (default: the repository's, %(default)s)")


def registry_config(args):
    """The Schema Registry client's settings: where it is, and the basic authentication to send it if any."""
    config = {"url": args.schema_registry}
    if args.registry_user_info:
        config.update({"basic.auth.credentials.source": "USER_INFO", "basic.auth.user.info": args.registry_user_info})
    return config


def run(main):
    """Runs a client's main: a Kafka or file error ends it with its message and exit status 1, not a traceback."""
    try:
        main()
    except KafkaException as e:
        sys.exit(f"Kafka: {e}")
    except OSError as e:
        sys.exit(str(e))
