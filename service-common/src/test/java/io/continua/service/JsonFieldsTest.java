package io.continua.service;

import io.continua.schemas.errors.ServiceException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


/** Strict field reading: what passes exactly, and what is refused with the field named. */
class JsonFieldsTest {
    private static JsonFields fields(String json) {
        return JsonFields.of(new JsonObject(json), "bad_input");
    }

    @Test
    void integersAreIntegralAndInRange() {
        assertThat(fields("{\"v\": 4}").integer("v", 1, 10)).contains(4);
        assertThat(fields("{\"v\": 4.0}").integer("v", 1, 10)).as("an integral value written with a fraction").contains(4);
        assertThat(fields("{}").integer("v", 1, 10)).isEmpty();
        assertThat(fields("{\"v\": 9007199254740993}").integer("v", 0L, Long.MAX_VALUE)).contains(9007199254740993L);
        for (String refused : List.of("1.99", "4294967297", "0", "\"4\"", "true", "[4]")) {
            assertThatThrownBy(() -> fields("{\"v\": " + refused + "}").integer("v", 1, Integer.MAX_VALUE))
                    .isInstanceOfSatisfying(ServiceException.class, failure -> {
                        assertThat(failure.status()).isEqualTo(400);
                        assertThat(failure.error()).isEqualTo("bad_input");
                        assertThat(failure.getMessage()).contains("'v'").contains("integer");
                    });
        }
    }

    @Test
    void stringsNumbersAndScalarsAreWhatTheySay() {
        assertThat(fields("{\"s\": \"x\"}").string("s")).contains("x");
        assertThatThrownBy(() -> fields("{\"s\": 5}").string("s")).hasMessageContaining("'s' must be a string, got 5");
        assertThat(fields("{\"m\": 0.25}").number("m", 0, 1)).contains(0.25);
        assertThatThrownBy(() -> fields("{\"m\": 2}").number("m", 0, 1)).hasMessageContaining("'m'");
        assertThat(fields("{\"r\": 8}").scalar("r")).contains("8");
        assertThat(fields("{\"r\": 8.0}").scalar("r")).contains("8");
        assertThat(fields("{\"r\": 0.002}").scalar("r")).contains("0.002");
        assertThat(fields("{\"r\": \"NaN\"}").scalar("r")).as("strings pass as they are").contains("NaN");
        assertThatThrownBy(() -> fields("{\"r\": {}}").scalar("r")).hasMessageContaining("a string or a finite number");
        assertThat(fields("{\"t\": [\"a\", \"b\"]}").strings("t")).contains(List.of("a", "b"));
        assertThatThrownBy(() -> fields("{\"t\": [\"a\", 3]}").strings("t")).hasMessageContaining("'t[1]'");
    }

    @Test
    void nestedFieldsAreNamedByTheirPath() {
        JsonFields root = fields("{\"promotion\": {\"margin\": \"high\"}, \"ranges\": [{\"p\": 1}, {\"p\": \"x\"}]}");
        assertThatThrownBy(() -> root.object("promotion").number("margin", 0, 1))
                .hasMessageContaining("'promotion.margin'");
        assertThatThrownBy(() -> root.objects("ranges").get(1).integer("p", 0, 10)).hasMessageContaining("'ranges[1].p'");
        assertThat(root.object("absent").names()).isEmpty();
        assertThatThrownBy(() -> fields("{\"promotion\": \"auto\"}").object("promotion"))
                .hasMessageContaining("'promotion' must be an object");
        assertThatThrownBy(() -> root.objects("ranges").get(0).required("q", root.string("q")))
                .hasMessageContaining("'ranges[0].q' is required");
    }
}
