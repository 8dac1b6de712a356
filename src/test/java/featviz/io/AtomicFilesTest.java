package featviz.io;

import featviz.RunFailure;
import featviz.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReplaces() throws IOException {
        Path target = dir.resolve("run.json");

        AtomicFiles.write(target, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, "{\"a\": 2}".getBytes(StandardCharsets.UTF_8));

        assertEquals("{\"a\": 2}", Files.readString(target));
        assertEquals(List.of("run.json"), TestImages.listing(dir));
    }

    /** Readers never see a half-written target: the content goes to a hidden file beside it first. */
    @Test
    void writesThroughAHiddenTemporaryFileBesideTheTarget() throws IOException {
        Path target = dir.resolve("run.json");
        Files.writeString(target, "old");
        List<String> seenWhileWriting = new ArrayList<>();
        List<String> targetWhileWriting = new ArrayList<>();

        AtomicFiles.write(target, out -> {
            out.write("new".getBytes(StandardCharsets.UTF_8));
            out.flush();
            seenWhileWriting.addAll(TestImages.listing(dir));
            targetWhileWriting.add(Files.readString(target));
        });

        assertEquals(2, seenWhileWriting.size(), seenWhileWriting.toString());
        assertTrue(seenWhileWriting.get(0).startsWith(".run.json.tmp-"), seenWhileWriting.toString());
        assertEquals(List.of("old"), targetWhileWriting);
        assertEquals("new", Files.readString(target));
    }

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("run.json");
        Files.writeString(target, "old");

        RunFailure failure = assertThrows(RunFailure.class, () -> AtomicFiles.write(target, out -> {
            out.write("half of it".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        }));

        assertEquals("cannot write " + target + ": No space left on device", failure.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("run.json"), TestImages.listing(dir));
    }

    @Test
    void uncheckedErrorsOfTheWriterPassThroughAndLeaveNoTemporaryFile() throws IOException {
        UsageException thrown = new UsageException("bad value");

        UsageException caught = assertThrows(UsageException.class, () -> AtomicFiles.write(dir.resolve("a.json"), out -> {
            out.write(1);
            throw thrown;
        }));

        assertSame(thrown, caught);
        assertEquals(List.of(), TestImages.listing(dir));
    }

    @Test
    void writerMayCloseItsStream() throws IOException {
        Path target = dir.resolve("notes.txt");

        AtomicFiles.write(target, out -> {
            try (Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                writer.write("closed early");
            }
        });

        assertEquals("closed early", Files.readString(target));
    }

    @Test
    void missingDirectoryAndDirectoryTargetAreUsageErrors() throws IOException {
        Path inMissing = dir.resolve("missing").resolve("a.json");
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path underFile = Files.writeString(dir.resolve("file"), "x").resolve("a.json");

        assertEquals("cannot write " + inMissing + ": directory " + inMissing.getParent() + " does not exist",
                assertThrows(UsageException.class, () -> AtomicFiles.write(inMissing, new byte[1])).getMessage());
        assertEquals("cannot write " + folder + ": it is a directory",
                assertThrows(UsageException.class, () -> AtomicFiles.write(folder, new byte[1])).getMessage());
        assertEquals("cannot write " + underFile + ": " + underFile.getParent() + " is not a directory",
                assertThrows(UsageException.class, () -> AtomicFiles.write(underFile, new byte[1])).getMessage());
        assertEquals(List.of("file", "folder"), TestImages.listing(dir));
        assertEquals(List.of(), TestImages.listing(folder));
    }

    /** Files.createTempFile would make the result private to its owner; a written file gets the usual permissions. */
    @Test
    void resultHasTheUsualPermissions() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path ordinary = Files.createFile(dir.resolve("ordinary"));
        Path written = dir.resolve("written");

        AtomicFiles.write(written, new byte[] {1, 2, 3});

        assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(written));
    }
}
