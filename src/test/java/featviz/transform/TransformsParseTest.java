package featviz.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransformsParseTest {
    private static String described(String spec) {
        return new Compose(Transforms.parse(spec)).describe();
    }

    @Test
    void lucidIsTheStandardChain() {
        assertEquals(new Compose(StandardTransforms.lucid()).describe(), described("lucid"));
        assertEquals(new Compose(StandardTransforms.lucid()).describe(), described(" LUCID "));
        assertEquals("pad:12:0.5,jitter:8,scale:0.9/0.92/0.94/0.96/0.98/1/1.02/1.04/1.06/1.08/1.1,"
                + "rotate:-10/-9/-8/-7/-6/-5/-4/-3/-2/-1/0/1/2/3/4/5/6/7/8/9/10/0/0/0/0/0,jitter:4", described("lucid"));
    }

    @Test
    void noneIsEmpty() {
        assertEquals(List.of(), Transforms.parse("none"));
        assertEquals(List.of(), Transforms.parse("None"));
    }

    @Test
    void itemsInOrder() {
        assertEquals("pad:12:0.5,jitter:8,scale:0.5/2,rotate:-5/0/5,rotate:-2/-1/0/1/2,jitter:4,pad:1:0",
                described("pad:12, jitter:8,scale:0.5/2,rotate:-5/0/5,rotate:2,JITTER:4,pad:1:0"));
        assertEquals("rotate:7/7", described("rotate:7/7"));
        assertEquals("scale:1.5", described("scale:1.5"));
        assertEquals(new Compose(StandardTransforms.lucid()).describe() + ",jitter:2", described("lucid,jitter:2"));
    }

    @Test
    void scaleRangeHasLucidsElevenFactors() {
        String d = described("scale:0.9-1.1");
        String[] factors = d.substring("scale:".length()).split("/");
        assertEquals(11, factors.length, d);
        assertEquals(0.9, Double.parseDouble(factors[0]), 1e-12);
        assertEquals(1.0, Double.parseDouble(factors[5]), 1e-12);
        assertEquals(1.1, Double.parseDouble(factors[10]), 1e-12);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jiter:8|'jiter:8': unknown transform 'jiter'",
        "pad:12,jiter:8|'jiter:8'",
        "pad:x|'pad:x': 'x': expected a whole number",
        "pad:-1|'pad:-1'",
        "pad:12:grey|'grey' is not a number",
        "pad:1:2:3|expected pad:N or pad:N:V",
        "jitter|'jitter': expected jitter:N",
        "jitter:1.5|'1.5': expected a whole number",
        "scale:1.1-0.9|needs 0 < A <= B",
        "scale:0|'scale:0': scale factors must be above 0",
        "scale:0.9-|'' is not a number",
        "rotate:|'rotate:': expected rotate:D",
        "rotate:2.5|'2.5': rotate:D needs a whole number",
        "rotate:a/b|'a' is not a number",
        "rotate:5//6|'' is not a number",
        "pad:12,,jitter:8|item 2 is empty",
        "none,pad:1|'none': none cannot be combined",
        "lucid:3|'lucid:3': lucid takes no arguments",
        "scale:NaN|'NaN' is not a number",
    })
    void errorsPointAtTheItem(String spec, String expected) {
        UsageException e = assertThrows(UsageException.class, () -> Transforms.parse(spec));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void emptyIsAnError() {
        UsageException e = assertThrows(UsageException.class, () -> Transforms.parse(" "));
        assertTrue(e.getMessage().startsWith("--transforms is empty"), e.getMessage());
    }
}
