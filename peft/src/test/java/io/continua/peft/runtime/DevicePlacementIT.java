package io.continua.peft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.TinyBertOnnxWriter;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderGraphBuilder;
import io.continua.peft.graph.ResidentBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Ops;

/** Where the encoder's graphs run: the setting, and every op of a graph placed there. */
class DevicePlacementIT {

    @Test
    void readsCpuAndGpuSettings() {
        assertThat(DevicePlacement.parse("cpu").tensorFlowName()).isEqualTo("/device:CPU:0");
        assertThat(DevicePlacement.parse("GPU").tensorFlowName()).isEqualTo("/device:GPU:0");
        assertThat(DevicePlacement.parse(" gpu:2 ").tensorFlowName()).isEqualTo("/device:GPU:2");
        assertThat(DevicePlacement.parse("gpu:1")).hasToString("gpu:1");
        assertThatThrownBy(() -> DevicePlacement.parse("tpu")).hasMessageContaining("cpu, gpu or gpu:N");
        assertThatThrownBy(() -> DevicePlacement.parse("gpu:-1")).hasMessageContaining("cpu, gpu or gpu:N");
        assertThat(DevicePlacement.cpu().sessionConfig().getGpuOptions().getAllowGrowth()).as("memory growth").isTrue();
    }

    @Test
    void everyOpOfAnEncoderGraphIsPlacedOnTheConfiguredDeviceBaseIncluded() {
        for (DevicePlacement device : List.of(DevicePlacement.cpu(), DevicePlacement.parse("gpu:1"))) {
            List<String> devices = new ArrayList<>();
            List<String> variables = new ArrayList<>();
            TensorFlowRuntime.ensureStarted();
            PretrainedEncoder tiny = TinyBertOnnxWriter.tinyEncoder(2, 16, 4, 24, 40, 21);
            try (Graph graph = new Graph()) {
                Ops tf = Ops.create(graph).withDevice(device.spec());
                ResidentBase base = ResidentBase.declare(tf, tiny.weights(), EnumSet.allOf(Precision.class));
                EncoderGraphBuilder.inference(tf, tiny.architecture(), base, DeltaLayout.headOnly(), Precision.BF16);
                graph.operations().forEachRemaining(op -> {
                    devices.add(((GraphOperation) op).device());
                    if (op.type().equals("VariableV2")) {
                        variables.add(op.name());
                    }
                });
            }
            assertThat(devices).as("ops placed for %s", device).isNotEmpty()
                    .allSatisfy(placed -> assertThat(placed).isEqualToIgnoringCase(device.tensorFlowName()));
            assertThat(variables).as("the base is resident in the graph").isNotEmpty();
        }
    }

    @Test
    void readsPrecisionSettings() {
        assertThat(Precision.parse("BF16")).isEqualTo(Precision.BF16);
        assertThat(Precision.parse(" fp32")).isEqualTo(Precision.FP32);
        assertThatThrownBy(() -> Precision.parse("fp8")).hasMessageContaining("[fp32, bf16]");
    }

    /** Runs only where a GPU and the GPU build of TensorFlow are present (mvn -Pgpu). */
    @Test
    @EnabledIf("gpuPresent")
    void runsOnTheGpu() {
        PretrainedEncoder tiny = TinyBertOnnxWriter.tinyEncoder(2, 16, 4, 24, 40, 22);
        System.setProperty("continua.device", "gpu:0");
        try {
            assertThat(io.continua.peft.graph.EncoderRuntime.of(tiny).device()).hasToString("gpu:0");
        } finally {
            System.clearProperty("continua.device");
        }
    }

    static boolean gpuPresent() {
        return Files.exists(Path.of("/dev/nvidia0"));
    }
}
