package io.continua.peft.runtime;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Where the encoder's graphs run: {@code cpu} (the default) or {@code gpu:N}. Every op of a graph,
 * the resident base's variables included, is placed there, so on a GPU the base is copied to the
 * device once and stays. GPU memory grows as needed instead of being taken whole at start, and ops
 * without a GPU kernel (integer index arithmetic) fall back to the CPU. Read from the system
 * property {@code continua.device} or the environment variable {@code CONTINUA_DEVICE}.
 */
public record DevicePlacement(DeviceSpec.DeviceType type, int index) {
    private static final Pattern SETTING = Pattern.compile("(cpu|gpu)(?::(\\d+))?");

    public DevicePlacement {
        if (index < 0) {
            throw new IllegalArgumentException("A device index is 0 or more, got " + index);
        }
    }

    public static DevicePlacement cpu() {
        return new DevicePlacement(DeviceSpec.DeviceType.CPU, 0);
    }

    /** {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}. */
    public static DevicePlacement parse(String setting) {
        Matcher matcher = SETTING.matcher(setting.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Device '" + setting + "' is not cpu, gpu or gpu:N");
        }
        DeviceSpec.DeviceType type = matcher.group(1).equals("gpu") ? DeviceSpec.DeviceType.GPU
                : DeviceSpec.DeviceType.CPU;
        return new DevicePlacement(type, matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2)));
    }

    /** The configured placement: {@code continua.device}, else {@code CONTINUA_DEVICE}, else the CPU. */
    public static DevicePlacement configured() {
        String setting = System.getProperty("continua.device", System.getenv("CONTINUA_DEVICE"));
        return setting == null || setting.isBlank() ? cpu() : parse(setting);
    }

    public DeviceSpec spec() {
        return DeviceSpec.newBuilder().deviceType(type).deviceIndex(index).build();
    }

    /** The name TensorFlow gives the device, e.g. {@code /device:GPU:0}. */
    public String tensorFlowName() {
        return "/device:" + type.name() + ":" + index;
    }

    /** Session options: soft placement for ops without a kernel there, GPU memory grown on demand. */
    public ConfigProto sessionConfig() {
        return ConfigProto.newBuilder()
                .setAllowSoftPlacement(true)
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true))
                .build();
    }

    @Override
    public String toString() {
        return type == DeviceSpec.DeviceType.CPU ? "cpu" : "gpu:" + index;
    }
}
