package io.continua.ingest.validate;

import java.text.Normalizer;

/** Unicode NFC, control characters removed, whitespace runs collapsed to one space, trimmed. */
public final class TextNormalizer {
    private TextNormalizer() {
    }

    public static String normalize(String text) {
        String composed = Normalizer.normalize(text, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(composed.length());
        boolean pendingSpace = false;
        for (int i = 0; i < composed.length(); ) {
            int codePoint = composed.codePointAt(i);
            i += Character.charCount(codePoint);
            if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
                pendingSpace = out.length() > 0;
            } else if (!isControl(codePoint)) {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.appendCodePoint(codePoint);
            }
        }
        return out.toString();
    }

    /** Control and format characters (C0, C1, DEL, zero-width and bidi marks) and lone surrogates: no text. */
    private static boolean isControl(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE;
    }
}
