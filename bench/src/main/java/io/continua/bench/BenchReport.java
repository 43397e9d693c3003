package io.continua.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/** Prints benchmark figures as one table and writes each benchmark's JSON file. */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchReport() {
    }

    static void print(List<BenchResult> results, PrintStream out) {
        out.printf("%n%-26s %-24s %s%n", "benchmark", "figure", "value");
        out.println("-".repeat(72));
        for (BenchResult result : results) {
            result.figures().forEach((key, value) -> out.printf("%-26s %-24s %s%n", result.name(), key, format(value)));
        }
        out.println(machine());
    }

    static void writeJson(List<BenchResult> results, Path dir) {
        try {
            Files.createDirectories(dir);
            for (BenchResult result : results) {
                Map<String, Object> document = new LinkedHashMap<>(result.figures());
                document.put("machine", machine());
                document.put("measured_at", Instant.now().toString());
                JSON.writeValue(dir.resolve(result.name() + ".json").toFile(), document);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write benchmark JSON to " + dir, e);
        }
    }

    static String machine() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() + ", Java "
                + System.getProperty("java.version") + ", " + host;
    }

    /** The vector instruction sets GEMM speed depends on, as the CPU reports them (e.g. {@code avx2,fma,avx512f}). */
    static String cpuFlags() {
        List<String> wanted = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile");
        return cpuInfo("flags").map(flags -> List.of(flags.split("\\s+")))
                .map(present -> String.join(",", wanted.stream().filter(present::contains).toList()))
                .orElse("unknown");
    }

    private static String cpuModel() {
        return cpuInfo("model name").orElse("unknown CPU");
    }

    /** The value of the first {@code /proc/cpuinfo} line starting with {@code key}; empty where there is none. */
    private static Optional<String> cpuInfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String format(Object value) {
        if (value instanceof Double number) {
            return Math.abs(number) >= 100 ? String.format("%.1f", number) : String.format("%.6g", number);
        }
        return String.valueOf(value);
    }
}
