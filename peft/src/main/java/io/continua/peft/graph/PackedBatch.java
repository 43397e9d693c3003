package io.continua.peft.graph;

import io.continua.peft.tokenizer.Tokens;
import java.util.Arrays;
import java.util.List;

/**
 * A batch of texts laid out for the padding-free encoder. The real tokens of every text are packed
 * one after the other ({@code tokens} rows); projections, feed-forward and layer norms run on that
 * packed matrix, so their cost follows the real token count. Attention alone needs per-text
 * structure: {@link #attentionGather()} lays the packed rows out as {@code [texts, longest]} (a
 * padded slot points at row 0 and is masked out), {@link #attentionScatter()} brings each token
 * back. A layout with virtual tokens (prompt tuning) gets that many rows at the start of every
 * text, before its real tokens, at positions {@code 0..v-1}, as PEFT prepends soft prompts; their
 * token id is {@code [PAD]}'s, since the layout's piece replaces their embeddings. Texts may use different deltas: each text belongs to a group (one delta of a stack), and
 * {@link #tokenGroupGather()} / {@link #rowGroupGather()} lay tokens and texts out per group so a
 * delta's factors apply to its own rows with one batched product (as S-LoRA and Punica do).
 * Immutable; the arrays are shared, not copied.
 */
public final class PackedBatch {
    private final int texts;
    private final int virtualTokens;
    private final int tokens;
    private final int longest;
    private final int groups;
    private final int groupTokens;
    private final int groupRows;
    private final int[] tokenIds;
    private final int[] positions;
    private final int[] attentionGather;
    private final int[] attentionScatter;
    private final float[] attentionMask;
    private final int[] tokenGroupGather;
    private final int[] tokenGroupScatter;
    private final int[] rowGroupGather;
    private final int[] rowGroupScatter;

    private PackedBatch(List<Tokens> batch, int[] groupOfText, int groups, int virtualTokens) {
        this.texts = batch.size();
        this.groups = groups;
        this.virtualTokens = virtualTokens;
        int total = 0;
        int max = 0;
        for (Tokens text : batch) {
            total += virtualTokens + text.length();
            max = Math.max(max, virtualTokens + text.length());
        }
        this.tokens = total;
        this.longest = max;
        tokenIds = new int[total];
        positions = new int[total];
        attentionGather = new int[texts * longest];
        attentionScatter = new int[total];
        attentionMask = new float[texts * longest];
        int[] groupOfToken = new int[total];
        int offset = 0;
        for (int text = 0; text < texts; text++) {
            int[] ids = batch.get(text).ids();
            int length = virtualTokens + ids.length;
            System.arraycopy(ids, 0, tokenIds, offset + virtualTokens, ids.length);
            for (int position = 0; position < length; position++) {
                positions[offset + position] = position;
                attentionGather[text * longest + position] = offset + position;
                attentionScatter[offset + position] = text * longest + position;
                attentionMask[text * longest + position] = 1f;
                groupOfToken[offset + position] = groupOfText[text];
            }
            offset += length;
        }
        int[] tokensPerGroup = count(groupOfToken, groups);
        int[] rowsPerGroup = count(groupOfText, groups);
        groupTokens = Arrays.stream(tokensPerGroup).max().orElse(0);
        groupRows = Arrays.stream(rowsPerGroup).max().orElse(0);
        tokenGroupGather = new int[groups * groupTokens];
        tokenGroupScatter = new int[total];
        layOutByGroup(groupOfToken, groupTokens, tokenGroupGather, tokenGroupScatter, groups);
        rowGroupGather = new int[groups * groupRows];
        rowGroupScatter = new int[texts];
        layOutByGroup(groupOfText, groupRows, rowGroupGather, rowGroupScatter, groups);
    }

    /** Texts that all use one delta. */
    public static PackedBatch of(List<Tokens> batch) {
        return of(batch, new int[batch.size()], 1, 0);
    }

    /** Texts that all use one delta of a layout with {@code virtualTokens} virtual tokens per text. */
    public static PackedBatch of(List<Tokens> batch, int virtualTokens) {
        return of(batch, new int[batch.size()], 1, virtualTokens);
    }

    /**
     * Texts that use a stack of {@code groups} deltas: text {@code i} uses delta {@code groupOfText[i]}.
     * Every group must have at least one text. Each text starts with {@code virtualTokens} virtual
     * rows (the layout's {@link DeltaLayout#virtualTokens()}).
     */
    public static PackedBatch of(List<Tokens> batch, int[] groupOfText, int groups, int virtualTokens) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("A batch needs at least one text");
        }
        if (groupOfText.length != batch.size()) {
            throw new IllegalArgumentException(groupOfText.length + " group indices for " + batch.size() + " texts");
        }
        int[] rows = count(groupOfText, groups);
        for (int group = 0; group < groups; group++) {
            if (rows[group] == 0) {
                throw new IllegalArgumentException("Delta " + group + " of " + groups + " has no text in the batch");
            }
        }
        if (virtualTokens < 0) {
            throw new IllegalArgumentException("Negative virtual token count " + virtualTokens);
        }
        return new PackedBatch(batch, groupOfText, groups, virtualTokens);
    }

    /** How many members of each group {@code groupOf} holds; refuses an index outside {@code [0, groups)}. */
    private static int[] count(int[] groupOf, int groups) {
        int[] counts = new int[groups];
        for (int group : groupOf) {
            if (group < 0 || group >= groups) {
                throw new IllegalArgumentException("Group index " + group + " is outside 0.." + (groups - 1));
            }
            counts[group]++;
        }
        return counts;
    }

    /**
     * Members in order go to slot {@code group * width + rank within the group}; {@code gather}
     * maps each slot to its member (unused slots to member 0), {@code scatter} each member to its slot.
     */
    private static void layOutByGroup(int[] groupOf, int width, int[] gather, int[] scatter, int groups) {
        int[] next = new int[groups];
        for (int member = 0; member < groupOf.length; member++) {
            int slot = groupOf[member] * width + next[groupOf[member]]++;
            gather[slot] = member;
            scatter[member] = slot;
        }
    }

    /**
     * Refuses a batch laid out for another layout's virtual tokens (its prompt would overwrite real
     * tokens), or whose longest text, virtual tokens included, has more positions than the encoder.
     */
    public PackedBatch requireFor(DeltaLayout layout, int maxPositions) {
        if (virtualTokens != layout.virtualTokens()) {
            throw new IllegalArgumentException("A batch with " + virtualTokens + " virtual tokens per text cannot run "
                    + "on layout " + layout.key() + ", which has " + layout.virtualTokens());
        }
        if (longest > maxPositions) {
            throw new IllegalArgumentException("A text of " + (longest - virtualTokens) + " tokens"
                    + (virtualTokens > 0 ? " after " + virtualTokens + " virtual tokens" : "")
                    + " exceeds the encoder's " + maxPositions + " positions");
        }
        return this;
    }

    public int texts() {
        return texts;
    }

    /** Virtual rows at the start of every text, before its real tokens. */
    public int virtualTokens() {
        return virtualTokens;
    }

    /** Rows in the batch, every text's virtual and real tokens: the rows every projection runs on. */
    public int tokens() {
        return tokens;
    }

    /** The longest text's token count: the width of attention's per-text layout. */
    public int longest() {
        return longest;
    }

    public int groups() {
        return groups;
    }

    public int[] tokenIds() {
        return tokenIds;
    }

    public int[] positions() {
        return positions;
    }

    public int[] attentionGather() {
        return attentionGather;
    }

    public int[] attentionScatter() {
        return attentionScatter;
    }

    /** {@code [texts, longest]}: 1 for a real token, 0 for a padded slot. */
    public float[] attentionMask() {
        return attentionMask;
    }

    /** {@code [groups, groupTokens]}: the packed token in each per-group slot. */
    public int[] tokenGroupGather() {
        return tokenGroupGather;
    }

    public int[] tokenGroupScatter() {
        return tokenGroupScatter;
    }

    /** {@code [groups, groupRows]}: the text in each per-group slot. */
    public int[] rowGroupGather() {
        return rowGroupGather;
    }

    public int[] rowGroupScatter() {
        return rowGroupScatter;
    }

    /** Shapes of the index inputs, for tensors: {@code [groups * groupTokens]} and {@code [groups * groupRows]}. */
    public int groupTokens() {
        return groupTokens;
    }

    public int groupRows() {
        return groupRows;
    }
}
