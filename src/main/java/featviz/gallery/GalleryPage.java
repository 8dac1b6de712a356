package featviz.gallery;

import featviz.job.Manifest;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * {@code index.html}: one static page with every render, no external assets (CSS and JS inline), images by
 * relative path. One section per group (model and layer, and settings where a layer was rendered with several),
 * each a grid of figures captioned with model, layer, channel, objective, seconds and settings id. Buttons sort
 * every section by channel or by objective, ascending or descending (plain JS on the figures' data attributes;
 * renders without an objective go last); the choice goes into the address as {@code #sort=objective-desc}
 * (or {@code channel-asc}, ...), and a page opened with such an address starts sorted that way.
 *
 * <p>When every image has loaded or failed, a script sets {@code document.body.dataset.loaded} (the body's
 * {@code data-loaded} attribute) to the number of images that loaded (naturalWidth above 0), for headless
 * browser checks.
 *
 * <p>The same input gives the same bytes: no dates, no randomness.
 */
public final class GalleryPage {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * One group of renders, in the order shown until the reader sorts, with each render's dataset examples
     * (files relative to the gallery, best first; renders without any are absent from the map).
     */
    public record Section(String title, String sheetFile, List<Manifest.Render> renders,
                          Map<Manifest.Key, List<String>> examples) {
        public Section(String title, String sheetFile, List<Manifest.Render> renders) {
            this(title, sheetFile, renders, Map.of());
        }
    }

    private GalleryPage() {
    }

    /**
     * The page.
     *
     * @param thumb the size images are shown at, in CSS pixels
     * @param settings every settings object the renders refer to, by id
     */
    public static String html(String title, List<Section> sections, Map<String, Map<String, Object>> settings, int thumb) {
        int images = sections.stream().mapToInt(s -> s.renders().size()).sum();
        StringBuilder h = new StringBuilder(4096 + images * 600);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"generator\" content=\"featviz gallery\">\n")
                .append("<title>").append(text(title)).append("</title>\n")
                .append("<style>\n").append(CSS.replace("CARD", Integer.toString(Math.max(thumb, 150) + 10))
                        .replace("THUMB", Integer.toString(thumb))).append("</style>\n")
                .append("</head>\n<body data-images=\"").append(images).append("\">\n");
        h.append("<header>\n<h1>").append(text(title)).append("</h1>\n<p class=\"summary\">").append(images)
                .append(images == 1 ? " image" : " images").append(" in ").append(sections.size())
                .append(sections.size() == 1 ? " group" : " groups").append("</p>\n");
        h.append("<div class=\"controls\">Sort: ")
                .append("<button type=\"button\" data-key=\"channel\" data-dir=\"1\" aria-pressed=\"true\">channel &#8593;</button> ")
                .append("<button type=\"button\" data-key=\"channel\" data-dir=\"-1\" aria-pressed=\"false\">channel &#8595;</button> ")
                .append("<button type=\"button\" data-key=\"objective\" data-dir=\"-1\" aria-pressed=\"false\">objective &#8595;</button> ")
                .append("<button type=\"button\" data-key=\"objective\" data-dir=\"1\" aria-pressed=\"false\">objective &#8593;</button>")
                .append("</div>\n</header>\n<main>\n");
        for (Section section : sections) {
            h.append("<section class=\"group\">\n<h2>").append(text(section.title())).append("</h2>\n");
            if (section.sheetFile() != null) {
                h.append("<p class=\"sheet\"><a href=\"").append(url(section.sheetFile())).append("\">contact sheet</a> (")
                        .append(section.renders().size()).append(section.renders().size() == 1 ? " image" : " images")
                        .append(")</p>\n");
            }
            h.append("<div class=\"grid\">\n");
            for (Manifest.Render r : section.renders()) {
                figure(h, r, settings.get(r.settings()), thumb, section.examples().getOrDefault(r.key(), List.of()));
            }
            h.append("</div>\n</section>\n");
        }
        h.append("</main>\n");
        settingsTable(h, settings);
        h.append("<script>\n").append(JS).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void figure(StringBuilder h, Manifest.Render r, Map<String, Object> settings, int thumb,
                               List<String> examples) {
        String src = url(r.file());
        h.append("<figure class=\"render\" data-channel=\"").append(r.channel())
                .append("\" data-objective=\"").append(Double.isFinite(r.objective()) ? Double.toString(r.objective()) : "")
                .append("\" data-seconds=\"").append(Double.isFinite(r.seconds()) ? Double.toString(r.seconds()) : "")
                .append(r.flat() ? "\" data-flat=\"true" : "")
                .append("\">\n<a href=\"").append(src).append("\"><img class=\"render-image\" src=\"").append(src)
                .append("\" alt=\"").append(attribute(r.model() + " " + r.layer() + " channel " + r.channel()))
                .append("\" width=\"").append(thumb).append("\" height=\"").append(thumb).append("\"></a>\n");
        if (r.transparency() != null) {
            String heat = url(r.transparency());
            h.append("<a href=\"").append(heat).append("\"><img class=\"transparency\" src=\"").append(heat)
                    .append("\" alt=\"where the gradient of channel ").append(r.channel()).append(" went\" title=\"")
                    .append("transparency: where the gradient went (black none, white most)\" width=\"").append(thumb)
                    .append("\" height=\"").append(thumb).append("\"></a>\n");
        }
        h.append("<figcaption><b class=\"channel\">channel ").append(r.channel()).append("</b>\n")
                .append(r.flat() ? "<span class=\"flat\" title=\"the objective never rose above its first value: the"
                        + " picture shows nothing of this unit\">flat</span>\n" : "")
                .append("<span class=\"numbers\">objective <span class=\"objective\">").append(number(r.objective()))
                .append("</span> &middot; ").append(number(r.seconds())).append(" s</span>\n")
                .append(quality(r.quality()))
                .append("<span class=\"where\">").append(text(r.model())).append(" &middot; ").append(text(r.layer()))
                .append(" &middot; <span class=\"settings\" title=\"settings ")
                .append(attribute(settings == null ? r.settings() : Manifest.canonicalJson(settings))).append("\">")
                .append(text(r.settings())).append("</span></span></figcaption>\n");
        if (!examples.isEmpty()) {
            h.append("<div class=\"examples\" title=\"dataset images that activate channel ").append(r.channel())
                    .append(" most, best first\">");
            for (int i = 0; i < examples.size(); i++) {
                String e = url(examples.get(i));
                h.append("<a href=\"").append(e).append("\"><img class=\"example\" src=\"").append(e)
                        .append("\" alt=\"example ").append(i + 1).append(" of channel ").append(r.channel()).append("\"></a>");
            }
            h.append("</div>\n");
        }
        h.append("</figure>\n");
    }

    /**
     * The render's quality scores ({@code maximize --examples}) as a caption line, with what they were measured
     * against in its title; empty for a render without scores.
     */
    static String quality(Manifest.Quality q) {
        if (q == null) {
            return "";
        }
        return "<span class=\"quality\" data-superstimulus=\"" + (Double.isFinite(q.superstimulus()) ? q.superstimulus() : "")
                + "\" data-plausibility=\"" + (Double.isFinite(q.plausibility()) ? q.plausibility() : "")
                + "\" title=\"" + attribute("superstimulus: the render's activation over the largest of " + q.images()
                + " real images (" + number(q.activation()) + " / " + number(q.bestReal()) + "); plausibility: cosine"
                + " similarity at " + q.layer() + " to the mean of the unit's top " + q.top() + " real images")
                + "\">superstimulus <span class=\"superstimulus\">" + number(q.superstimulus())
                + "</span>&times; &middot; plausibility <span class=\"plausibility\">" + number(q.plausibility())
                + "</span></span>\n";
    }

    private static void settingsTable(StringBuilder h, Map<String, Map<String, Object>> settings) {
        h.append("<footer>\n<h2>Settings</h2>\n");
        for (Map.Entry<String, Map<String, Object>> entry : settings.entrySet()) {
            h.append("<table class=\"settings-table\"><caption>").append(text(entry.getKey())).append("</caption>\n");
            for (Map.Entry<String, Object> value : entry.getValue().entrySet()) {
                Object v = value.getValue();
                String shown = v instanceof String s ? s : json(v);
                h.append("<tr><th>").append(text(value.getKey())).append("</th><td>").append(text(shown))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</footer>\n");
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Four significant digits, plain notation where short; an em dash for NaN. */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return "&#8212;";
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros();
        String plain = rounded.toPlainString();
        return plain.length() <= 12 ? plain : rounded.toString();
    }

    /** Escapes text for element content. */
    static String text(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Escapes text for a double-quoted attribute. */
    static String attribute(String s) {
        return text(s).replace("\"", "&quot;").replace("'", "&#39;");
    }

    /** A relative path as a URL: each byte outside the unreserved set and {@code /} percent-encoded. */
    static String url(String relativePath) {
        StringBuilder out = new StringBuilder();
        for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    private static final String CSS = """
            :root { color-scheme: light dark; --bg: #f6f6f4; --fg: #1d1d1b; --muted: #6b6b66; --card: #fff; --line: #ddd; }
            @media (prefers-color-scheme: dark) { :root { --bg: #161616; --fg: #e8e8e6; --muted: #9a9a94; --card: #222; --line: #333; } }
            body { margin: 0; padding: 1rem 1.5rem 3rem; background: var(--bg); color: var(--fg);
                   font: 14px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
            h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
            h2 { font-size: 1.1rem; margin: 1.6rem 0 .4rem; }
            .summary, .sheet { color: var(--muted); margin: .2rem 0; }
            header { position: sticky; top: 0; background: var(--bg); padding: .5rem 0; border-bottom: 1px solid var(--line); z-index: 1; }
            .controls button { font: inherit; padding: .2rem .6rem; margin-right: .2rem; border: 1px solid var(--line);
                               border-radius: 4px; background: var(--card); color: var(--fg); cursor: pointer; }
            .controls button[aria-pressed="true"] { border-color: var(--fg); font-weight: 600; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(CARDpx, 1fr)); gap: .6rem; }
            figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
            figure img { display: block; width: 100%; max-width: THUMBpx; height: auto; aspect-ratio: 1 / 1;
                         object-fit: contain; image-rendering: auto; margin: 0 auto; background: #1e1e1e; }
            .examples { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2px; margin-top: 4px; }
            /* a checkerboard behind renders, so an alpha channel (--alpha) shows as see-through */
            img.render-image { background: repeating-conic-gradient(#777 0 25%, #aaa 0 50%) 50% / 16px 16px; }
            figcaption .flat { color: #c0392b; font-weight: 600; }
            .examples img { display: block; width: 100%; height: auto; aspect-ratio: 1 / 1; object-fit: cover; }
            figcaption { font-size: 12px; margin-top: 4px; overflow-wrap: anywhere; }
            figcaption > span { display: block; }
            .where { color: var(--muted); font-size: 11px; }
            .settings { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
            footer table { border-collapse: collapse; margin: .4rem 1rem 1rem 0; display: inline-table; vertical-align: top; }
            footer caption { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; }
            footer th, footer td { text-align: left; padding: .1rem .6rem .1rem 0; border-bottom: 1px solid var(--line); }
            footer th { font-weight: 500; color: var(--muted); }
            """;

    private static final String JS = """
            (function () {
              'use strict';
              function value(figure, key) {
                var v = figure.getAttribute('data-' + key);
                return v === '' || v === null ? NaN : parseFloat(v);
              }
              var grids = Array.prototype.slice.call(document.querySelectorAll('.grid'));
              grids.forEach(function (grid) {
                Array.prototype.forEach.call(grid.children, function (f, i) { f.setAttribute('data-order', i); });
              });
              function sortBy(key, dir) {
                grids.forEach(function (grid) {
                  var figures = Array.prototype.slice.call(grid.children);
                  figures.sort(function (a, b) {
                    var x = value(a, key), y = value(b, key);
                    if (isNaN(x) !== isNaN(y)) { return isNaN(x) ? 1 : -1; }
                    if (!isNaN(x) && x !== y) { return dir * (x - y); }
                    return value(a, 'order') - value(b, 'order');
                  });
                  figures.forEach(function (f) { grid.appendChild(f); });
                });
                Array.prototype.forEach.call(document.querySelectorAll('.controls button'), function (b) {
                  b.setAttribute('aria-pressed', String(b.getAttribute('data-key') === key && +b.getAttribute('data-dir') === dir));
                });
                document.body.setAttribute('data-sorted', key + (dir > 0 ? ' ascending' : ' descending'));
              }
              Array.prototype.forEach.call(document.querySelectorAll('.controls button'), function (b) {
                b.addEventListener('click', function () {
                  var key = b.getAttribute('data-key'), dir = +b.getAttribute('data-dir');
                  sortBy(key, dir);
                  if (window.history && history.replaceState) {
                    history.replaceState(null, '', '#sort=' + key + (dir > 0 ? '-asc' : '-desc'));
                  }
                });
              });
              var wanted = /^#sort=(channel|objective)-(asc|desc)$/.exec(location.hash);
              if (wanted) { sortBy(wanted[1], wanted[2] === 'asc' ? 1 : -1); }
              var images = Array.prototype.slice.call(document.querySelectorAll('img.render-image'));
              var pending = images.length;
              function finished() {
                document.body.dataset.loaded = String(images.filter(function (img) { return img.naturalWidth > 0; }).length);
              }
              function settle() {
                pending -= 1;
                if (pending === 0) { finished(); }
              }
              if (pending === 0) { finished(); }
              images.forEach(function (img) {
                if (img.complete) {
                  settle();
                } else {
                  var once = function () {
                    img.removeEventListener('load', once);
                    img.removeEventListener('error', once);
                    settle();
                  };
                  img.addEventListener('load', once);
                  img.addEventListener('error', once);
                }
              });
            })();
            """;
}
