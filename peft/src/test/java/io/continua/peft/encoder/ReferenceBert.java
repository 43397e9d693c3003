package io.continua.peft.encoder;

/**
 * A plain-Java BERT forward pass (double precision, loops) over {@link EncoderWeights}: the oracle
 * for encoders that ONNX Runtime cannot run, such as the tiny ones tests write.
 */
final class ReferenceBert {
    private final EncoderWeights weights;
    private final EncoderArchitecture architecture;

    ReferenceBert(EncoderWeights weights) {
        this.weights = weights;
        this.architecture = weights.architecture();
    }

    /** Mean-pooled output for one unpadded token sequence. */
    double[] pooled(int[] ids) {
        int length = ids.length;
        int hidden = architecture.hiddenSize();
        double[][] x = new double[length][hidden];
        float[] words = weights.get(EncoderWeights.WORD_EMBEDDINGS).values();
        float[] positions = weights.get(EncoderWeights.POSITION_EMBEDDINGS).values();
        float[] types = weights.get(EncoderWeights.TOKEN_TYPE_EMBEDDINGS).values();
        for (int t = 0; t < length; t++) {
            for (int h = 0; h < hidden; h++) {
                x[t][h] = words[ids[t] * hidden + h] + positions[t * hidden + h] + types[h];
            }
        }
        x = layerNorm(x, EncoderWeights.EMBEDDINGS_NORM);
        for (int layer = 0; layer < architecture.layers(); layer++) {
            double[][] attention = linear(attention(layer, x), layer, Projection.ATTENTION_OUTPUT);
            x = layerNorm(add(attention, x), EncoderWeights.attentionNorm(layer));
            double[][] inner = gelu(linear(x, layer, Projection.INTERMEDIATE));
            x = layerNorm(add(linear(inner, layer, Projection.OUTPUT), x), EncoderWeights.outputNorm(layer));
        }
        double[] pooled = new double[hidden];
        for (double[] row : x) {
            for (int h = 0; h < hidden; h++) {
                pooled[h] += row[h] / length;
            }
        }
        return pooled;
    }

    private double[][] attention(int layer, double[][] x) {
        double[][] q = linear(x, layer, Projection.QUERY);
        double[][] k = linear(x, layer, Projection.KEY);
        double[][] v = linear(x, layer, Projection.VALUE);
        int length = x.length;
        int size = architecture.headSize();
        double[][] context = new double[length][architecture.hiddenSize()];
        for (int head = 0; head < architecture.heads(); head++) {
            int offset = head * size;
            for (int i = 0; i < length; i++) {
                double[] scores = new double[length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < length; j++) {
                    for (int d = 0; d < size; d++) {
                        scores[j] += q[i][offset + d] * k[j][offset + d];
                    }
                    scores[j] /= Math.sqrt(size);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < length; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j < length; j++) {
                    for (int d = 0; d < size; d++) {
                        context[i][offset + d] += scores[j] / sum * v[j][offset + d];
                    }
                }
            }
        }
        return context;
    }

    private double[][] linear(double[][] x, int layer, Projection projection) {
        float[] w = weights.get(projection.weightName(layer)).values();
        float[] b = weights.get(projection.biasName(layer)).values();
        int in = projection.inputSize(architecture);
        int out = projection.outputSize(architecture);
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double sum = b[o];
                for (int i = 0; i < in; i++) {
                    sum += x[t][i] * w[i * out + o];
                }
                y[t][o] = sum;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] gamma = weights.get(name + ".weight").values();
        float[] beta = weights.get(name + ".bias").values();
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double value : x[t]) {
                mean += value / x[t].length;
            }
            double variance = 0;
            for (double value : x[t]) {
                variance += (value - mean) * (value - mean) / x[t].length;
            }
            y[t] = new double[x[t].length];
            for (int h = 0; h < x[t].length; h++) {
                y[t][h] = (x[t][h] - mean) / Math.sqrt(variance + architecture.layerNormEpsilon()) * gamma[h] + beta[h];
            }
        }
        return y;
    }

    private static double[][] gelu(double[][] x) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            y[t] = new double[x[t].length];
            for (int h = 0; h < x[t].length; h++) {
                y[t][h] = 0.5 * x[t][h] * (1 + erf(x[t][h] / Math.sqrt(2)));
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            y[t] = new double[a[t].length];
            for (int h = 0; h < a[t].length; h++) {
                y[t][h] = a[t][h] + b[t][h];
            }
        }
        return y;
    }

    /** Abramowitz-Stegun 7.1.26 is too coarse here; this series/continued-fraction pair is accurate to ~1e-12. */
    private static double erf(double x) {
        double ax = Math.abs(x);
        double result;
        if (ax < 2.5) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 100; n++) {
                term *= -ax * ax / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17) {
                    break;
                }
            }
            result = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double fraction = 0;
            for (int n = 60; n >= 1; n--) {
                fraction = n / 2.0 / (ax + fraction);
            }
            result = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + fraction);
        }
        return Math.copySign(result, x);
    }
}
