package featviz.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import featviz.RunFailure;
import featviz.model.WeightStore.WeightFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every server here listens on 127.0.0.1, port 0, and is stopped after each test. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WeightStoreTest {

    private static final String REL = "models/tiny_dl4j_inference.zip";
    private static final byte[] DATA = bytes(6000, 42);
    private static final Duration SHORT = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1); // frees handlers that hang
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stopServers() {
        release.countDown();
        for (HttpServer s : servers) {
            s.stop(0);
        }
        executors.forEach(ExecutorService::shutdownNow);
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static long adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return a.getValue();
    }

    private static WeightFile file(long adler32) {
        return new WeightFile("tiny", REL, adler32);
    }

    /** Serves {@code handlers} (path -> handler) on 127.0.0.1:0; every request is counted. */
    private URI serve(Map<String, HttpHandler> handlers) throws IOException {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        servers.add(server);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http");
            t.setDaemon(true);
            return t;
        });
        executors.add(executor);
        server.setExecutor(executor);
        handlers.forEach((path, h) -> server.createContext(path, exchange -> {
            requests.incrementAndGet();
            try {
                h.handle(exchange);
            } finally {
                exchange.close();
            }
        }));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private URI serveData(byte[] data) throws IOException {
        return serve(Map.of("/" + REL, ex -> send(ex, 200, data)));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private WeightStore store(URI base) {
        return store(base, WeightStore.ProgressListener.NONE);
    }

    private WeightStore store(URI base, WeightStore.ProgressListener listener) {
        return new WeightStore(base, tmp.resolve("cache"), SHORT, SHORT, listener);
    }

    /** Files in the model's cache directory other than the final file and its marker. */
    private List<String> leftovers(Path target) throws IOException {
        if (!Files.isDirectory(target.getParent())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(target.getParent())) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".part") || n.equals(target.getFileName().toString()))
                    .toList();
        }
    }

    private static void assertNamesEverything(RunFailure e, URI url, Path target) {
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains(url.toString()), m);
        assertTrue(m.contains(target.toString()), m);
        assertTrue(m.contains("--weights random"), m);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void layoutAndEnvironmentFollowDl4j() {
        WeightFile vgg = new WeightFile("vgg19", "models/vgg19_dl4j_inference.zip", 2782932419L);
        assertEquals("vgg19_dl4j_inference.zip", vgg.fileName());

        WeightStore dflt = WeightStore.fromEnvironment(k -> null,
                k -> k.equals("user.home") ? "/home/u" : null, null);
        assertEquals(URI.create("https://dl4jdata.blob.core.windows.net/models/vgg19_dl4j_inference.zip"), dflt.url(vgg));
        assertEquals(Path.of("/home/u/.deeplearning4j/models/vgg19/vgg19_dl4j_inference.zip"), dflt.cachePath(vgg));

        Map<String, String> props = Map.of("user.home", "/home/u",
                WeightStore.DL4J_BASE_URL_PROPERTY, "http://mirror.example/dl4j", // no trailing slash
                WeightStore.DL4J_DIRECTORY_PROPERTY, "/data/dl4j");
        WeightStore dl4j = WeightStore.fromEnvironment(k -> null, props::get, null);
        assertEquals(URI.create("http://mirror.example/dl4j/models/vgg19_dl4j_inference.zip"), dl4j.url(vgg));
        assertEquals(Path.of("/data/dl4j/models/vgg19/vgg19_dl4j_inference.zip"), dl4j.cachePath(vgg));

        Map<String, String> env = Map.of(WeightStore.URL_ENV, "/srv/mirror", WeightStore.CACHE_ENV, "/cache");
        WeightStore ours = WeightStore.fromEnvironment(env::get, props::get, null);
        assertEquals(Path.of("/srv/mirror/models/vgg19_dl4j_inference.zip").toUri(), ours.url(vgg));
        assertEquals(Path.of("/cache/models/vgg19/vgg19_dl4j_inference.zip"), ours.cachePath(vgg));

        assertThrows(IllegalArgumentException.class, () -> new WeightFile("../x", "a.zip", 1));
        assertThrows(IllegalArgumentException.class, () -> new WeightFile("x", "../a.zip", 1));
        assertThrows(IllegalArgumentException.class, () -> new WeightFile("x", "a.zip", 1L << 32));
    }

    @Test
    void downloadsOnceThenServesFromCache() throws IOException {
        URI base = serveData(DATA);
        WeightFile f = file(adler(DATA));
        List<long[]> seen = new CopyOnWriteArrayList<>();
        Path got = store(base, (done, total) -> seen.add(new long[] {done, total})).fetch(f);

        assertEquals(store(base).cachePath(f), got);
        assertArrayEquals(DATA, Files.readAllBytes(got));
        assertTrue(Files.exists(got.resolveSibling(got.getFileName() + ".verified")));
        assertEquals(List.of(got.getFileName().toString()), leftovers(got));
        assertEquals(1, requests.get());
        assertArrayEquals(new long[] {DATA.length, DATA.length}, seen.get(seen.size() - 1));
        if (Files.getFileStore(got).supportsFileAttributeView("posix")) { // not the 0600 of a temp file
            Path probe = Files.createFile(tmp.resolve("probe"));
            assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(got));
        }

        assertEquals(got, store(base).fetch(f)); // a later run
        assertEquals(1, requests.get());
    }

    @Test
    void markerSkipsRehashingButAnyChangeToTheFileIsNoticed() throws IOException {
        URI base = serveData(DATA);
        WeightFile f = file(adler(DATA));
        Path got = store(base).fetch(f);

        // same size and mtime: trusted without hashing (that is what the marker is for)
        FileTime mtime = Files.getLastModifiedTime(got);
        Files.write(got, bytes(DATA.length, 7));
        Files.setLastModifiedTime(got, mtime);
        store(base).fetch(f);
        assertEquals(1, requests.get());

        // a different mtime: hashed again, found wrong, fetched again
        Files.setLastModifiedTime(got, FileTime.fromMillis(mtime.toMillis() - 5000));
        store(base).fetch(f);
        assertEquals(2, requests.get());
        assertArrayEquals(DATA, Files.readAllBytes(got));
    }

    @Test
    void checksumMismatchFailsAndLeavesNothingBehind() throws IOException {
        URI base = serveData(DATA);
        long actual = adler(DATA);
        long expected = (actual + 1) & 0xFFFF_FFFFL;
        WeightStore store = store(base);
        WeightFile f = file(expected);

        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(f));
        assertNamesEverything(e, store.url(f), store.cachePath(f));
        assertTrue(e.getMessage().contains(Long.toString(expected)), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(actual)), e.getMessage());
        assertFalse(Files.exists(store.cachePath(f)));
        assertEquals(List.of(), leftovers(store.cachePath(f)));
    }

    @Test
    void httpErrorStatusIsReported() throws IOException {
        URI base = serve(Map.of("/", ex -> send(ex, 404, new byte[0])));
        WeightStore store = store(base);
        WeightFile f = file(adler(DATA));

        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(f));
        assertNamesEverything(e, store.url(f), store.cachePath(f));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertEquals(List.of(), leftovers(store.cachePath(f)));
    }

    @Test
    void followsRedirects() throws IOException {
        URI base = serve(Map.of(
                "/" + REL, ex -> {
                    ex.getResponseHeaders().add("Location", "/elsewhere/blob");
                    send(ex, 302, new byte[0]);
                },
                "/elsewhere/blob", ex -> send(ex, 200, DATA)));
        Path got = store(base).fetch(file(adler(DATA)));
        assertArrayEquals(DATA, Files.readAllBytes(got));
        assertEquals(2, requests.get());
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws IOException {
        URI base = serve(Map.of("/", ex -> {
            try {
                release.await(8, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        WeightStore store = store(base);
        WeightFile f = file(adler(DATA));

        long t0 = System.nanoTime();
        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(f));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 900 && ms < 5000, "took " + ms + " ms");
        assertNamesEverything(e, store.url(f), store.cachePath(f));
        assertTrue(e.getMessage().contains("1 s"), e.getMessage());
        assertEquals(List.of(), leftovers(store.cachePath(f)));
    }

    @Test
    void transferThatStallsHalfwayTimesOut() throws IOException {
        URI base = serve(Map.of("/", ex -> {
            ex.sendResponseHeaders(200, DATA.length);
            OutputStream out = ex.getResponseBody();
            out.write(DATA, 0, DATA.length / 2);
            out.flush();
            try {
                release.await(8, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        WeightStore store = store(base);
        WeightFile f = file(adler(DATA));

        long t0 = System.nanoTime();
        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(f));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 900 && ms < 5000, "took " + ms + " ms");
        assertNamesEverything(e, store.url(f), store.cachePath(f));
        assertTrue(e.getMessage().contains("no data received for 1 s"), e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt leaked");
        assertEquals(List.of(), leftovers(store.cachePath(f)));
    }

    @Test
    void slowButSteadyTransferLongerThanTheReadTimeoutSucceeds() throws IOException {
        int chunks = 5;
        URI base = serve(Map.of("/", ex -> {
            ex.sendResponseHeaders(200, DATA.length);
            OutputStream out = ex.getResponseBody();
            int step = DATA.length / chunks;
            for (int i = 0; i < chunks; i++) {
                int from = i * step;
                int to = i == chunks - 1 ? DATA.length : from + step;
                out.write(DATA, from, to - from);
                out.flush();
                try {
                    release.await(350, TimeUnit.MILLISECONDS); // 5 x 350 ms > the 1 s read timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            out.close();
        }));
        Path got = store(base).fetch(file(adler(DATA)));
        assertArrayEquals(DATA, Files.readAllBytes(got));
    }

    @Test
    void connectionRefusedIsReported() throws IOException {
        URI base = serveData(DATA);
        servers.remove(0).stop(0); // nothing listens on that port now
        WeightStore store = store(base);
        WeightFile f = file(adler(DATA));

        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(f));
        assertNamesEverything(e, store.url(f), store.cachePath(f));
        assertTrue(e.getMessage().toLowerCase().contains("refused"), e.getMessage());
        assertEquals(List.of(), leftovers(store.cachePath(f)));
    }

    @Test
    void corruptCachedFileIsSetAsideAndReplaced() throws IOException {
        URI base = serveData(DATA);
        WeightFile f = file(adler(DATA));
        List<String> warnings = new CopyOnWriteArrayList<>();
        WeightStore store = store(base, new WeightStore.ProgressListener() {
            @Override
            public void progress(long done, long total) {
            }

            @Override
            public void warning(String line) {
                warnings.add(line);
            }
        });
        Path target = store.cachePath(f);
        Files.createDirectories(target.getParent());
        byte[] truncated = java.util.Arrays.copyOf(DATA, 1000); // what an interrupted DL4J download leaves
        Files.write(target, truncated);

        assertEquals(target, store.fetch(f));
        assertArrayEquals(DATA, Files.readAllBytes(target));
        assertArrayEquals(truncated, Files.readAllBytes(target.resolveSibling(target.getFileName() + ".corrupt")));
        assertEquals(1, requests.get());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains(Long.toString(adler(truncated))), warnings.get(0));
    }

    @Test
    void fileBaseUrlServesALocalMirror() throws IOException {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror.resolve("models"));
        Files.write(mirror.resolve(REL), DATA);
        WeightStore store = store(mirror.toUri());

        Path got = store.fetch(file(adler(DATA)));
        assertArrayEquals(DATA, Files.readAllBytes(got));

        WeightFile missing = new WeightFile("tiny", "models/absent.zip", 1);
        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(missing));
        assertNamesEverything(e, store.url(missing), store.cachePath(missing));
    }

    @Test
    void unwritableCacheIsReportedAsSuch() throws IOException {
        URI base = serveData(DATA);
        Path notADir = tmp.resolve("cache");
        Files.writeString(notADir, "a file where the cache directory should be");
        WeightStore store = store(base);
        WeightFile f = file(adler(DATA));

        RunFailure e = assertThrows(RunFailure.class, () -> store.fetch(f));
        assertNamesEverything(e, store.url(f), store.cachePath(f));
        assertTrue(e.getMessage().startsWith("cannot save"), e.getMessage());
        assertTrue(e.getMessage().contains(WeightStore.CACHE_ENV), e.getMessage());
    }

    @Test
    void concurrentFetchesOfTheSameFileBothSucceed() throws Exception {
        URI base = serveData(DATA);
        WeightFile f = file(adler(DATA));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    return store(base).fetch(f);
                }));
            }
            start.countDown();
            for (Future<Path> r : results) {
                assertArrayEquals(DATA, Files.readAllBytes(r.get(8, TimeUnit.SECONDS)));
            }
            assertEquals(List.of(store(base).cachePath(f).getFileName().toString()),
                    leftovers(store(base).cachePath(f)));
        } finally {
            pool.shutdownNow();
        }
    }
}
