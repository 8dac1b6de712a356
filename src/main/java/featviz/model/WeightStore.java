package featviz.model;

import featviz.RunFailure;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.Adler32;

/**
 * Fetches pretrained zoo weight files into DL4J's cache layout, so that files DL4J downloaded are
 * reused and files fetched here are found by DL4J: {@code <root>/models/<model>/<fileName>}, from
 * {@code <baseUrl><relativePath>}.
 *
 * <p>Unlike DL4J's own {@code initPretrained} it downloads with connect and read timeouts into a
 * uniquely named {@code <file>.<random>.part} next to the final file, checks the Adler32 while
 * streaming and only then renames atomically into place: the final name never holds a partial or
 * unchecked file, and two processes fetching at once each write their own temp file (the last
 * rename wins; both are verified). A {@code <file>.verified} marker (size, mtime, checksum) lets
 * later runs skip re-hashing a 500 MB file. Every failure is a {@link RunFailure} with a one-line
 * message naming the URL, the cache path and the ways around it.
 */
public final class WeightStore {

    /** DL4J's default download base (DL4JResources). */
    public static final String DL4J_DEFAULT_URL = "https://dl4jdata.blob.core.windows.net/";
    /** DL4J's system property overriding the download base. */
    public static final String DL4J_BASE_URL_PROPERTY = "org.deeplearning4j.resources.baseurl";
    /** DL4J's system property overriding the {@code ~/.deeplearning4j} cache root. */
    public static final String DL4J_DIRECTORY_PROPERTY = "org.deeplearning4j.resources.directory";
    /** Environment variable: a mirror base URL, or a local directory laid out like the server. */
    public static final String URL_ENV = "FEATVIZ_WEIGHTS_URL";
    /** Environment variable: the cache root (files go to {@code <root>/models/<model>/<file>}). */
    public static final String CACHE_ENV = "FEATVIZ_CACHE";

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private static final String ALTERNATIVES =
            "set " + URL_ENV + " to a mirror, or use --weights random or --model PATH";
    private static final int BUFFER = 64 * 1024;

    /**
     * What to fetch.
     *
     * @param model        the cache sub-directory, e.g. {@code vgg19} (DL4J's {@code modelName()})
     * @param relativePath the path under the base URL, e.g. {@code models/vgg19_dl4j_inference.zip}
     * @param adler32      the expected Adler32 of the whole file
     */
    public record WeightFile(String model, String relativePath, long adler32) {
        public WeightFile {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(relativePath, "relativePath");
            if (model.isEmpty() || model.equals(".") || model.equals("..")
                    || model.contains("/") || model.contains("\\")) {
                throw new IllegalArgumentException("bad model name: '" + model + "'");
            }
            if (relativePath.isEmpty() || relativePath.startsWith("/") || relativePath.endsWith("/")
                    || relativePath.contains("\\") || relativePath.contains("?") || relativePath.contains("#")) {
                throw new IllegalArgumentException("bad relative path: '" + relativePath + "'");
            }
            for (String segment : relativePath.split("/")) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException("bad relative path: '" + relativePath + "'");
                }
            }
            if (adler32 < 0 || adler32 > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("Adler32 out of range: " + adler32);
            }
        }

        /** The last segment of the relative path: the cached file's name. */
        public String fileName() {
            return relativePath.substring(relativePath.lastIndexOf('/') + 1);
        }
    }

    /** Download progress. Called from the fetching thread. */
    public interface ProgressListener {
        ProgressListener NONE = (done, total) -> { };

        /** @param bytesTotal the announced size, or -1 if the server did not say */
        void progress(long bytesDone, long bytesTotal);

        /** Something the user should know that is not a failure, e.g. a damaged cached file was set aside. */
        default void warning(String line) {
        }
    }

    private final URI baseUrl;
    private final Path cacheRoot;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final ProgressListener progress;
    private HttpClient client; // created on the first http(s) download

    public WeightStore(URI baseUrl, Path cacheRoot, Duration connectTimeout, Duration readTimeout,
                       ProgressListener progress) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
            throw new IllegalArgumentException("weights base URL must be http:, https: or file:, not " + baseUrl);
        }
        this.baseUrl = withTrailingSlash(baseUrl);
        this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.readTimeout = positive(readTimeout, "readTimeout");
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Base URL: env {@code FEATVIZ_WEIGHTS_URL} (a URL, or a plain directory path for a local
     * mirror), else system property {@code org.deeplearning4j.resources.baseurl}, else DL4J's
     * default. Cache root: env {@code FEATVIZ_CACHE}, else property
     * {@code org.deeplearning4j.resources.directory}, else {@code ~/.deeplearning4j}.
     */
    public static WeightStore fromEnvironment(ProgressListener progress) {
        return fromEnvironment(System::getenv, System::getProperty, progress);
    }

    static WeightStore fromEnvironment(UnaryOperator<String> env, UnaryOperator<String> properties,
                                       ProgressListener progress) {
        String url = firstSet(env.apply(URL_ENV), properties.apply(DL4J_BASE_URL_PROPERTY), DL4J_DEFAULT_URL);
        String root = firstSet(env.apply(CACHE_ENV), properties.apply(DL4J_DIRECTORY_PROPERTY), null);
        Path cacheRoot = root != null ? Path.of(root) : Path.of(properties.apply("user.home"), ".deeplearning4j");
        return new WeightStore(parseBase(url), cacheRoot, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, progress);
    }

    public Path cachePath(WeightFile f) {
        return cacheRoot.resolve("models").resolve(f.model()).resolve(f.fileName());
    }

    public URI url(WeightFile f) {
        try {
            // encodes anything odd in the path (spaces...) before resolving against the base
            return baseUrl.resolve(new URI(null, null, f.relativePath(), null));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad relative path: " + f.relativePath(), e);
        }
    }

    /** Returns the cached file, downloading it first if it is absent or damaged. */
    public Path fetch(WeightFile f) {
        Path target = cachePath(f);
        URI url = url(f);
        String note = "";
        long actual = Files.exists(target) ? checkCached(f, target, url) : ABSENT;
        if (actual == GOOD) {
            return target;
        }
        if (actual != ABSENT) {
            // Choice: a cached file with the wrong checksum is neither used nor deleted. It is moved
            // aside to <file>.corrupt (replacing an older one, so at most one copy is kept) and the
            // file is downloaded again. Re-downloading fixes the common cause (DL4J writes straight
            // into the final name, so an interrupted DL4J download leaves a truncated file there);
            // keeping it means a file the user copied there by hand is not silently destroyed.
            Path aside = sibling(target, ".corrupt");
            try {
                Files.move(target, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (NoSuchFileException gone) {
                // another process moved or replaced it meanwhile; download anyway
            } catch (IOException e) {
                throw new RunFailure(String.format(
                        "cached %s weights at %s are damaged (Adler32 %d, expected %d) and cannot be moved aside (%s); "
                                + "delete the file so it is downloaded again from %s, put a good copy there, %s",
                        f.model(), target, actual, f.adler32(), reason(e), url, ALTERNATIVES), e);
            }
            note = String.format("; the cached copy had Adler32 %d instead of %d and was moved to %s",
                    actual, f.adler32(), aside);
            progress.warning(String.format("cached %s weights at %s had Adler32 %d, expected %d: moved to %s, downloading again",
                    f.model(), target, actual, f.adler32(), aside));
        }
        download(f, url, target, note);
        return target;
    }

    // ---------------------------------------------------------------- cached file

    private static final long GOOD = -1;
    private static final long ABSENT = -2;

    /** {@link #GOOD}, {@link #ABSENT} (gone meanwhile), or the wrong checksum the cached file has. */
    private long checkCached(WeightFile f, Path target, URI url) {
        Path marker = sibling(target, ".verified");
        try {
            BasicFileAttributes before = Files.readAttributes(target, BasicFileAttributes.class);
            if (!before.isRegularFile()) {
                throw new IOException("not a regular file");
            }
            String stamp = stamp(before, f.adler32());
            if (stamp.equals(readMarker(marker))) {
                return GOOD;
            }
            long actual = FileDigest.adler32(target);
            if (actual != f.adler32()) {
                return actual;
            }
            writeMarker(marker, stamp);
            return GOOD;
        } catch (NoSuchFileException e) {
            return ABSENT; // another process moved it aside meanwhile
        } catch (IOException e) {
            throw new RunFailure(String.format(
                    "cannot read cached %s weights at %s (%s); fix or delete it so it is downloaded again from %s, %s",
                    f.model(), target, reason(e), url, ALTERNATIVES), e);
        }
    }

    private static String stamp(BasicFileAttributes a, long adler32) {
        return "size=" + a.size() + " mtime=" + a.lastModifiedTime().toMillis() + " adler32=" + adler32;
    }

    private static String readMarker(Path marker) {
        try {
            return Files.readString(marker, StandardCharsets.UTF_8).strip();
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** Best effort: a read-only cache still works, it just re-hashes every run. */
    private static void writeMarker(Path marker, String stamp) {
        try {
            Files.writeString(marker, stamp + "\n", StandardCharsets.UTF_8);
        } catch (IOException ignored) {
            // not worth failing for
        }
    }

    // ---------------------------------------------------------------- download

    private void download(WeightFile f, URI url, Path target, String note) {
        Path dir = target.getParent();
        Path part;
        try {
            Files.createDirectories(dir);
            deleteStaleParts(dir, f.fileName());
            part = createPart(dir, f.fileName());
        } catch (IOException e) {
            throw diskFailure(f, url, target, e);
        }
        boolean moved = false;
        try {
            long actual = url.getScheme().equalsIgnoreCase("file")
                    ? copyLocal(f, url, target, part, note)
                    : copyHttp(f, url, target, part, note);
            if (actual != f.adler32()) {
                throw new RunFailure(message(f, url, target, String.format(
                        "downloaded file has Adler32 %d, expected %d: the transfer was damaged or the server has another file",
                        actual, f.adler32()) + note));
            }
            try {
                moveIntoPlace(part, target);
                moved = true;
            } catch (IOException e) {
                throw diskFailure(f, url, target, e);
            }
            try {
                writeMarker(sibling(target, ".verified"),
                        stamp(Files.readAttributes(target, BasicFileAttributes.class), f.adler32()));
            } catch (IOException ignored) {
                // the next run hashes the file instead
            }
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // deleteStaleParts clears it on a later run
                }
            }
        }
    }

    /**
     * A new, uniquely named {@code <file>.<random>.part}. Not {@link Files#createTempFile}: that
     * makes the file owner-only (0600), which a shared cache would inherit after the rename; this
     * gets the umask's permissions like any other new file.
     */
    private static Path createPart(Path dir, String fileName) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            try {
                return Files.createFile(dir.resolve(fileName + "." + random + ".part"));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 9) {
                    throw e;
                }
            }
        }
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            // rename(2) replaces atomically: readers see the old file or the new one, never a mix
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Removes {@code <file>.*.part} left by killed runs. A live download writes at least once per
     * read timeout, so a temp file untouched for an hour (or two read timeouts) is dead.
     */
    private void deleteStaleParts(Path dir, String fileName) {
        long cutoff = System.currentTimeMillis() - Math.max(Duration.ofHours(1).toMillis(), 2 * readTimeout.toMillis());
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, escapeGlob(fileName) + ".*.part")) {
            for (Path p : parts) {
                FileTime t = Files.getLastModifiedTime(p);
                if (t.toMillis() < cutoff) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // housekeeping only
        }
    }

    private long copyLocal(WeightFile f, URI url, Path target, Path part, String note) {
        Path source;
        try {
            source = Path.of(url);
        } catch (RuntimeException e) {
            throw new RunFailure(message(f, url, target, "not a usable file: URL: " + e.getMessage() + note), e);
        }
        if (!Files.isRegularFile(source)) {
            throw new RunFailure(message(f, url, target, "no such file in the local mirror" + note));
        }
        long total;
        try {
            total = Files.size(source);
        } catch (IOException e) {
            total = -1;
        }
        try (InputStream in = Files.newInputStream(source)) {
            return copy(in, part, total, null);
        } catch (DiskFailure e) {
            throw diskFailure(f, url, target, e.getCause());
        } catch (IOException e) {
            throw new RunFailure(message(f, url, target, "cannot read it: " + reason(e) + note), e);
        }
    }

    private long copyHttp(WeightFile f, URI url, Path target, Path part, String note) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(readTimeout) // until the response headers arrive; the body is watched below
                .header("User-Agent", "featviz")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new RunFailure(message(f, url, target, "connection timed out after " + seconds(connectTimeout) + note), e);
        } catch (HttpTimeoutException e) {
            throw new RunFailure(message(f, url, target, "no response within " + seconds(readTimeout) + note), e);
        } catch (IOException e) {
            throw new RunFailure(message(f, url, target, connectReason(e, url) + note), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailure(message(f, url, target, "interrupted" + note), e);
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new RunFailure(message(f, url, target, "server answered HTTP " + response.statusCode()
                        + (response.statusCode() == 404 ? " not found" : "") + note));
            }
            try (Watchdog watchdog = new Watchdog(readTimeout, in)) {
                try {
                    long sum = copy(in, part, total, watchdog);
                    if (watchdog.fired()) { // the stream may have ended quietly when closed
                        throw new IOException("watchdog");
                    }
                    return sum;
                } catch (IOException e) {
                    // first: the watchdog's interrupt can also break a write to the temp file
                    if (watchdog.fired()) {
                        throw new RunFailure(message(f, url, target, "no data received for " + seconds(readTimeout)
                                + " after " + watchdog.bytes() + " of " + (total < 0 ? "?" : total) + " bytes" + note), e);
                    }
                    if (e instanceof DiskFailure disk) {
                        throw diskFailure(f, url, target, disk.getCause());
                    }
                    throw new RunFailure(message(f, url, target, "transfer broke off after " + watchdog.bytes()
                            + " of " + (total < 0 ? "?" : total) + " bytes: " + reason(e) + note), e);
                }
            }
        } catch (IOException closing) {
            throw new RunFailure(message(f, url, target, reason(closing) + note), closing);
        }
    }

    /**
     * Streams into {@code part}, returning the Adler32; forces the bytes to disk before returning
     * so the rename that follows cannot publish a file whose data a crash then loses. Failures to
     * write come out as {@link DiskFailure}, failures to read as plain IOExceptions.
     */
    private long copy(InputStream in, Path part, long total, Watchdog watchdog) throws IOException {
        Adler32 sum = new Adler32();
        byte[] buf = new byte[BUFFER];
        long done = 0;
        FileChannel out;
        try {
            out = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new DiskFailure(e);
        }
        try {
            progress.progress(0, total);
            for (int n; (n = in.read(buf)) >= 0; ) {
                try {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                } catch (IOException e) {
                    throw new DiskFailure(e);
                }
                sum.update(buf, 0, n);
                done += n;
                if (watchdog != null) {
                    watchdog.progress(done);
                }
                progress.progress(done, total);
            }
            if (total >= 0 && done != total) {
                throw new IOException("connection closed early");
            }
            try {
                out.force(false);
                out.close();
            } catch (IOException e) {
                throw new DiskFailure(e);
            }
            return sum.getValue();
        } finally {
            if (out.isOpen()) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
        }
        return client;
    }

    /**
     * Closes the body stream (and interrupts the reader) when no bytes arrived for the read timeout:
     * the request timeout of {@link HttpClient} only covers the wait for the response headers.
     */
    private static final class Watchdog implements AutoCloseable {
        private final Thread reader = Thread.currentThread();
        private final long timeoutNanos;
        private final Closeable stream;
        private long lastProgress = System.nanoTime();
        private long bytes;
        private boolean done;
        private boolean fired;

        Watchdog(Duration timeout, Closeable stream) {
            this.timeoutNanos = timeout.toNanos();
            this.stream = stream;
            Thread thread = new Thread(this::watch, "featviz-download-watchdog");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void progress(long bytesDone) {
            lastProgress = System.nanoTime();
            bytes = bytesDone;
        }

        synchronized long bytes() {
            return bytes;
        }

        synchronized boolean fired() {
            return fired;
        }

        private void watch() {
            synchronized (this) {
                while (!done) {
                    long wait = lastProgress + timeoutNanos - System.nanoTime();
                    if (wait <= 0) {
                        fired = true;
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!fired) {
                    return;
                }
                // still under the lock: close() cannot return, so the interrupt cannot leak past it
                try {
                    stream.close();
                } catch (IOException | RuntimeException ignored) {
                    // the interrupt below unblocks the reader anyway
                }
                reader.interrupt();
            }
        }

        @Override
        public void close() {
            boolean clear;
            synchronized (this) {
                done = true;
                notifyAll();
                clear = fired;
            }
            if (clear) {
                Thread.interrupted(); // the interrupt was ours, not the caller's
            }
        }
    }

    /** A write to the temp file failed (as opposed to the network read). */
    private static final class DiskFailure extends IOException {
        DiskFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    // ---------------------------------------------------------------- messages

    private static String message(WeightFile f, URI url, Path target, String reason) {
        return String.format("cannot download %s weights from %s (%s); put the file at %s, %s",
                f.model(), url, reason, target, ALTERNATIVES);
    }

    private static RunFailure diskFailure(WeightFile f, URI url, Path target, IOException e) {
        return new RunFailure(String.format(
                "cannot save %s weights from %s to %s (%s); free some disk space, set %s to a writable directory, "
                        + "put the file there yourself, %s",
                f.model(), url, target, reason(e), CACHE_ENV, ALTERNATIVES), e);
    }

    private static String connectReason(IOException e, URI url) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host " + url.getHost();
            }
        }
        if (e instanceof ConnectException) {
            return e.getMessage() == null || e.getMessage().isBlank()
                    ? "connection refused" : "cannot connect: " + e.getMessage();
        }
        return reason(e);
    }

    private static String reason(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getCause() != null ? reason(e.getCause()) : e.getClass().getSimpleName();
        }
        return m.replaceAll("\\s+", " ").strip();
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    // ---------------------------------------------------------------- small helpers

    private static Path sibling(Path p, String suffix) {
        return p.resolveSibling(p.getFileName() + suffix);
    }

    private static String escapeGlob(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    private static String firstSet(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) return a.strip();
        if (b != null && !b.isBlank()) return b.strip();
        return fallback;
    }

    /** A URL with a scheme, or else a plain directory path (a local mirror). */
    private static URI parseBase(String s) {
        if (s.matches("(?i)(https?|file):.*")) {
            return URI.create(s);
        }
        return Path.of(s).toAbsolutePath().toUri();
    }

    private static URI withTrailingSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? u : URI.create(s + "/");
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }
}
