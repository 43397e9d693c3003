package io.continua.schemas.confluent;

/** Schema Registry subjects under Confluent's default TopicNameStrategy: a topic's values are {@code <topic>-value}. */
public final class Subjects {
    private static final String VALUE = "-value";

    private Subjects() {
    }

    public static String valueOf(String topic) {
        return topic + VALUE;
    }
}
