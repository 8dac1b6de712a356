package featviz.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matching two directory trees by relative path. */
class ImagePairsTest {
    @TempDir
    Path dir;

    private Path touch(String relative) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
        return p;
    }

    @Test
    void matchesByRelativePathAndKeepsMissingAndExtra() throws Exception {
        touch("ref/a.png");
        touch("ref/sub/b.png");
        touch("ref/gone.png");
        touch("ref/notes.txt");
        touch("ref/.hidden.png");
        touch("ref/.git/x.png");
        touch("new/a.png");
        touch("new/sub/b.png");
        touch("ref/UPPER.PNG");
        touch("new/UPPER.PNG");
        touch("new/added.png");
        touch("new/diffs/a-diff.png");
        List<ImagePairs.Pair> pairs = ImagePairs.of(dir.resolve("ref"), dir.resolve("new"), dir.resolve("new/diffs"));
        assertEquals(List.of("UPPER.PNG", "a.png", "added.png", "gone.png", "sub/b.png"),
                pairs.stream().map(ImagePairs.Pair::name).toList());
        assertTrue(pairs.get(2).extra());
        assertTrue(pairs.get(3).missing());
        assertEquals(dir.resolve("ref/sub/b.png"), pairs.get(4).a());
        assertEquals(dir.resolve("new/sub/b.png"), pairs.get(4).b());
    }

    @Test
    void twoFilesAreOnePairNamedAfterA() throws Exception {
        Path a = touch("x/one.png");
        Path b = touch("y/two.png");
        assertEquals(List.of(new ImagePairs.Pair("one.png", a, b)), ImagePairs.of(a, b, null));
    }

    @Test
    void aFileAgainstADirectoryOrAMissingPathIsAUsageError() throws Exception {
        Path a = touch("x/one.png");
        assertTrue(assertThrows(UsageException.class, () -> ImagePairs.of(a, dir, null)).getMessage()
                .contains("A is a file and B a directory"));
        assertTrue(assertThrows(UsageException.class, () -> ImagePairs.of(dir, a, null)).getMessage()
                .contains("A is a directory and B a file"));
        assertTrue(assertThrows(UsageException.class, () -> ImagePairs.of(a, dir.resolve("nope"), null)).getMessage()
                .contains("no such file or directory"));
    }
}
