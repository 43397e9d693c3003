package io.continua.cli;

/**
 * A subcommand another module adds to {@code continua}, found with {@link java.util.ServiceLoader}: the benchmarks
 * live in their own module with their baselines (ONNX Runtime, langchain4j), so the production command and image
 * carry neither; {@code ./continua} runs with them on the classpath.
 */
public interface CommandExtension {
    /** An object annotated with picocli's {@code @Command}. */
    Object command();
}
