package io.continua.peft.training;

import java.util.LinkedHashMap;
import java.util.Map;

/** AdamW's per-domain state: the step count and both moments of every trained tensor. */
public record OptimizerState(long step, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments) {
    public OptimizerState {
        firstMoments = new LinkedHashMap<>(firstMoments);
        secondMoments = new LinkedHashMap<>(secondMoments);
    }
}
