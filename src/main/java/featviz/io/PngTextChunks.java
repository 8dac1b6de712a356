package featviz.io;

import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * PNG text chunks as they appear in the metadata tree of the JDK's PNG plugin: tEXt for values in
 * Latin-1 (the only text tEXt may hold), uncompressed iTXt (UTF-8) for anything else.
 */
final class PngTextChunks {
    static final String FORMAT = "javax_imageio_png_1.0";

    private PngTextChunks() {
    }

    /**
     * Adds one chunk per entry; within each chunk type the map's order is kept, and the JDK writes all
     * tEXt chunks before the iTXt ones.
     *
     * @throws IllegalArgumentException for a key PNG does not allow or a value holding NUL
     */
    static void addTo(IIOMetadata metadata, Map<String, String> text) throws IIOInvalidTreeException {
        IIOMetadataNode latin1 = new IIOMetadataNode("tEXt");
        IIOMetadataNode international = new IIOMetadataNode("iTXt");
        for (Map.Entry<String, String> entry : text.entrySet()) {
            String key = requireKeyword(entry.getKey());
            String value = requireText(key, entry.getValue());
            if (isLatin1(value)) {
                IIOMetadataNode chunk = new IIOMetadataNode("tEXtEntry");
                chunk.setAttribute("keyword", key);
                chunk.setAttribute("value", value);
                latin1.appendChild(chunk);
            } else {
                IIOMetadataNode chunk = new IIOMetadataNode("iTXtEntry");
                chunk.setAttribute("keyword", key);
                chunk.setAttribute("compressionFlag", "FALSE");
                chunk.setAttribute("compressionMethod", "0");
                chunk.setAttribute("languageTag", "");
                chunk.setAttribute("translatedKeyword", "");
                chunk.setAttribute("text", value);
                international.appendChild(chunk);
            }
        }
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        if (latin1.hasChildNodes()) {
            root.appendChild(latin1);
        }
        if (international.hasChildNodes()) {
            root.appendChild(international);
        }
        metadata.mergeTree(FORMAT, root);
    }

    /**
     * The tEXt, zTXt and iTXt entries, sorted by key (the JDK does not keep the file's chunk order
     * across chunk types). Of repeated keys, the first listed wins.
     */
    static Map<String, String> readFrom(IIOMetadata metadata) {
        Map<String, String> text = new TreeMap<>();
        Node root = metadata.getAsTree(FORMAT);
        for (Node chunks = root.getFirstChild(); chunks != null; chunks = chunks.getNextSibling()) {
            String valueAttribute = switch (chunks.getNodeName()) {
                case "tEXt" -> "value";
                case "zTXt", "iTXt" -> "text";
                default -> null;
            };
            if (valueAttribute == null) {
                continue;
            }
            for (Node chunk = chunks.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                Element entry = (Element) chunk;
                text.putIfAbsent(entry.getAttribute("keyword"), entry.getAttribute(valueAttribute));
            }
        }
        return text;
    }

    /** PNG keywords: 1 to 79 printable Latin-1 characters, no leading, trailing or double spaces. */
    private static String requireKeyword(String key) {
        boolean valid = key.length() >= 1 && key.length() <= 79
                && !key.startsWith(" ") && !key.endsWith(" ") && !key.contains("  ")
                && key.chars().allMatch(c -> (c >= 32 && c <= 126) || (c >= 161 && c <= 255));
        if (!valid) {
            throw new IllegalArgumentException("not a valid PNG text keyword (1 to 79 printable Latin-1 characters, "
                    + "single inner spaces only): \"" + key + "\"");
        }
        return key;
    }

    /** A NUL would end the text early in any reader: PNG uses it as the separator. */
    private static String requireText(String key, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("PNG text for \"" + key + "\" must not contain a NUL character");
        }
        return value;
    }

    private static boolean isLatin1(String value) {
        return value.chars().allMatch(c -> c <= 0xff);
    }
}
