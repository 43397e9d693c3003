package io.continua.peft;

import java.util.List;

/** Varied sentences for parity checks: short, long enough to truncate, punctuation, non-ASCII, single words. */
public final class ParitySentences {
    private ParitySentences() {
    }

    public static List<String> all() {
        String longText = "The quarterly report shows that revenue grew steadily across every region, "
                + "while operating costs fell because the new logistics platform reduced delivery times, "
                + "and customer satisfaction scores rose to their highest level since the company began "
                + "measuring them; nevertheless, analysts warned that currency fluctuations, supply chain "
                + "disruptions and rising interest rates could erode margins in the coming year, so the board "
                + "approved a cautious budget that prioritises debt reduction, targeted hiring in engineering "
                + "and a modest increase in the dividend paid to long-standing shareholders of the firm.";
        return List.of(
                "Hello",
                "card",
                "How do I top up my card?",
                "My card payment was declined at the supermarket yesterday.",
                "Why hasn't my transfer arrived yet?!",
                "I lost my PIN... what now???",
                "Can I change my address online, or do I need to call?",
                "The exchange rate you applied seems wrong: 1 EUR = 0.5 GBP?",
                "¿Dónde está mi tarjeta? La pedí hace dos semanas.",
                "Ich habe mein Passwort vergessen und komme nicht mehr in mein Konto.",
                "Je voudrais fermer mon compte, s'il vous plaît.",
                "我的银行卡丢了，怎么办？",
                "Это слишком долго, где мой перевод?",
                "Card arrived 📦 but it's broken 😡",
                "naïve café résumé — déjà vu",
                "a",
                "!!!",
                "12345 67890",
                "refund refund refund refund refund refund refund refund",
                "   leading and trailing spaces   ",
                "UPPER CASE SHOUTING ABOUT FEES",
                "e-mail: someone@example.com, phone +44 20 7946 0958",
                "The film was a triumph of style over substance, but I loved every minute.",
                "Terrible. Just terrible.",
                longText,
                longText + " " + longText,
                "Short one.",
                "What is the fee for international wire transfers to Japan and how long do they take?");
    }
}
