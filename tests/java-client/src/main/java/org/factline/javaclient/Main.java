package org.factline.javaclient;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.factcast.client.grpc.GrpcFactStore;
import org.factcast.core.Fact;
import org.factcast.core.FactCast;
import org.factcast.core.lock.Attempt;
import org.factcast.core.lock.AttemptAbortedException;
import org.factcast.core.lock.PublishingResult;
import org.factcast.core.lock.WithOptimisticLock.OptimisticRetriesExceededException;
import org.factcast.core.spec.FactSpec;
import org.factcast.core.subscription.FactStreamInfo;
import org.factcast.core.subscription.MissingTransformationInformationException;
import org.factcast.core.subscription.Subscription;
import org.factcast.core.subscription.SubscriptionRequest;

/**
 * Drives FactCast's own Java client (factcast-client-grpc, unchanged) against a running store.
 *
 * <p>Usage: {@code Main [--user U --password P] [--tls-ca FILE] host:port} (see {@link
 * Connection}). Prints one line per check to stdout — {@code ok <name>} or {@code FAIL <name>:
 * <reason>} — plus {@code note <name>: ...} lines with facts worth knowing
 * (what the client sent, which client limitation applied). Exits 1 if any check failed. Each
 * check has its own deadline, so a hanging call fails that check instead of the whole run.
 */
public final class Main {

  static final String CLIENT_ID = "factline-java-client-check";
  static final long CHECK_TIMEOUT_MS = 60_000;
  static final long WAIT_MS = 15_000;

  final FactCast fc;
  final GrpcFactStore store;
  final Recorder recorder;
  /** A namespace of our own, so reruns against the same database do not see each other. */
  final String ns = "jc" + UUID.randomUUID().toString().substring(0, 8);

  /** Everything this run published into {@link #ns}, in publish order. */
  final List<Fact> published = new ArrayList<>();

  final UUID aggA = UUID.randomUUID();
  final UUID aggB = UUID.randomUUID();

  int failures = 0;
  final ExecutorService runner = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "check");
    t.setDaemon(true);
    return t;
  });

  Main(FactCast fc, GrpcFactStore store, Recorder recorder) {
    this.fc = fc;
    this.store = store;
    this.recorder = recorder;
  }

  public static void main(String[] args) throws Exception {
    Connection connection = Connection.parse(args);
    if (connection == null) System.exit(2);
    Recorder recorder = new Recorder();
    ManagedChannel managed = connection.open();
    GrpcFactStore store = connection.store(managed, recorder, CLIENT_ID);
    Main m = new Main(FactCast.from(store), store, recorder);
    int failures = m.run();
    System.out.println(failures == 0 ? "all checks passed" : failures + " check(s) failed");
    System.out.flush();
    managed.shutdownNow();
    // Client threads (subscriptions, keepalive timers) must not keep the JVM alive.
    Runtime.getRuntime().halt(failures == 0 ? 0 : 1);
  }

  // ------------------------------------------------------------------ harness

  interface Check {
    void run() throws Exception;
  }

  static final class CheckFailed extends Exception {
    CheckFailed(String message) {
      super(message);
    }
  }

  static void expect(boolean condition, String message) throws CheckFailed {
    if (!condition) throw new CheckFailed(message);
  }

  static void expectEqual(Object expected, Object actual, String what) throws CheckFailed {
    if (expected == null ? actual != null : !expected.equals(actual)) {
      throw new CheckFailed(what + ": expected " + expected + " but got " + actual);
    }
  }

  void check(String name, Check body) {
    int mark = recorder.mark();
    Future<?> f =
        runner.submit(
            () -> {
              body.run();
              return null;
            });
    String failure = null;
    Throwable cause = null;
    try {
      f.get(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      failure = "no result within " + CHECK_TIMEOUT_MS + " ms";
    } catch (java.util.concurrent.ExecutionException e) {
      cause = e.getCause();
      failure =
          cause instanceof CheckFailed ? cause.getMessage() : describe(cause);
    } catch (InterruptedException e) {
      failure = "interrupted";
    }
    if (failure == null) {
      System.out.println("ok " + name);
    } else {
      failures++;
      System.out.println("FAIL " + name + ": " + failure.replace('\n', ' '));
      System.err.println("==== FAIL " + name + ": " + failure);
      if (cause != null && !(cause instanceof CheckFailed)) cause.printStackTrace();
      System.err.println("---- gRPC calls made during " + name + ":");
      for (Recorder.Call c : recorder.since(mark)) System.err.println("  " + c);
    }
    System.out.flush();
  }

  static void note(String name, String text) {
    System.out.println("note " + name + ": " + text.replace('\n', ' '));
  }

  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (sb.length() > 0) sb.append(" <- ");
      sb.append(c.getClass().getName()).append(": ").append(c.getMessage());
      Metadata trailers = Status.trailersFromThrowable(c);
      if (c instanceof StatusRuntimeException && trailers != null) sb.append(" trailers=").append(trailers);
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ helpers

  Fact fact(String type, int version, List<UUID> aggIds, String metaKey, String metaValue, String payload) {
    Fact.Builder b = Fact.builder().ns(ns).type(type).version(version);
    for (UUID a : aggIds) b.aggId(a);
    if (metaKey != null) b.meta(metaKey, metaValue);
    return b.build(payload);
  }

  /** Runs a catch-up subscription (via the reconnecting FactCast API) to completion. */
  Collector catchup(SubscriptionRequest req) throws Exception {
    Collector c = new Collector();
    try (Subscription s = fc.subscribe(req, c)) {
      s.awaitComplete(WAIT_MS);
    }
    if (c.error.get() != null) throw new CheckFailed("subscription failed: " + describe(c.error.get()));
    return c;
  }

  List<UUID> expectedIds(Predicate<Fact> p) {
    return published.stream().filter(p).map(Fact::id).collect(Collectors.toList());
  }

  static List<UUID> ids(List<Fact> facts) {
    return facts.stream().map(Fact::id).collect(Collectors.toList());
  }

  long serial(UUID id) throws CheckFailed {
    OptionalLong s = fc.serialOf(id);
    expect(s.isPresent(), "serialOf(" + id + ") is empty for a published fact");
    return s.getAsLong();
  }

  String lastSubscriptionJson(int mark) {
    String json = null;
    for (Recorder.Call c : recorder.since(mark)) if (c.subscriptionJson != null) json = c.subscriptionJson;
    return json;
  }

  // ------------------------------------------------------------------ checks

  int run() {
    check("handshake", () -> store.initialize());
    Recorder.Call hs = recorder.calls().isEmpty() ? null : recorder.calls().get(0);
    if (hs != null) note("handshake", "client sent " + hs);

    check("publish-single", () -> {
      Fact f1 = fact("UserCreated", 1, List.of(aggA), "tenant", "t1", "{\"name\":\"Ann\",\"n\":1}");
      Fact f2 = fact("UserCreated", 1, List.of(aggB), "tenant", "t2", "{\"name\":\"Bob\",\"n\":2}");
      Fact f3 = fact("UserRenamed", 2, List.of(aggA), "tenant", "t1", "{\"name\":\"Anna\",\"n\":3}");
      for (Fact f : List.of(f1, f2, f3)) {
        fc.publish(f);
        published.add(f);
      }
    });

    check("publish-batch", () -> {
      List<Fact> batch = List.of(
          fact("UserRenamed", 2, List.of(aggB), "tenant", "t2", "{\"name\":\"Bobby\",\"n\":4}"),
          fact("UserDeleted", 1, List.of(aggA, aggB), "tenant", "t1", "{\"n\":5}"),
          fact("AuditNote", 1, List.of(), null, null, "{\"text\":\"multi\\nline \\\"quoted\\\" ünïcødé ✓\",\"n\":6}"),
          fact("AuditNote", 1, List.of(), "tenant", "t3", "{\"n\":7,\"nested\":{\"a\":[1,2,{\"b\":null}]}}"));
      fc.publish(batch);
      published.addAll(batch);
    });

    check("fetchById", () -> {
      expect(published.size() >= 7, "nothing published");
      for (Fact sent : published) {
        Optional<Fact> got = fc.fetchById(sent.id());
        expect(got.isPresent(), "fetchById(" + sent.id() + ") is empty");
        Fact f = got.get();
        expectEqual(sent.id(), f.id(), "id");
        expectEqual(sent.ns(), f.ns(), "ns");
        expectEqual(sent.type(), f.type(), "type");
        expectEqual(sent.version(), f.version(), "version");
        expectEqual(sent.aggIds(), f.aggIds(), "aggIds");
        expectEqual(sent.meta("tenant"), f.meta("tenant"), "meta.tenant");
        expectEqual(Json.parse(sent.jsonPayload()), Json.parse(f.jsonPayload()), "payload of " + sent.type());
        expect(f.meta("_ser") != null, "meta._ser missing in " + f.jsonHeader());
        expect(f.meta("_ts") != null, "meta._ts missing in " + f.jsonHeader());
        long ts = f.timestamp();
        expect(Math.abs(ts - System.currentTimeMillis()) < 600_000, "meta._ts " + ts + " is not a recent epoch-ms time");
      }
    });

    check("fetchById-unknown", () -> expect(!fc.fetchById(UUID.randomUUID()).isPresent(), "unknown id was found"));

    check("meta-source", () -> {
      Fact f = fc.fetchById(published.get(0).id()).orElseThrow();
      expectEqual(CLIENT_ID, f.meta("source"), "meta.source (from the fc-id header)");
    });

    check("serialOf", () -> {
      long prev = 0;
      for (Fact sent : published) {
        long s = serial(sent.id());
        expect(s > prev, "serials not increasing in publish order: " + prev + " then " + s);
        expectEqual(String.valueOf(s), fc.fetchById(sent.id()).orElseThrow().meta("_ser"), "meta._ser vs serialOf");
        prev = s;
      }
      expect(!fc.serialOf(UUID.randomUUID()).isPresent(), "serialOf(unknown id) is present");
    });

    check("compression-negotiated", () -> {
      // The store advertised gzip in the handshake, so the client gzips its requests and asks for
      // gzip responses; every call after the handshake succeeding means the store handles both.
      Recorder.Call publish = recorder.calls().stream().filter(c -> c.method.equals("publish"))
          .findFirst().orElseThrow(() -> new CheckFailed("no publish call recorded"));
      Metadata h = publish.headers;
      note("compression-negotiated", "publish headers: " + h);
      expectEqual("gzip", h.get(Metadata.Key.of("fc-msgcomp", Metadata.ASCII_STRING_MARSHALLER)), "fc-msgcomp");
      expect(h.containsKey(Metadata.Key.of("fc-ffwd", Metadata.ASCII_STRING_MARSHALLER)), "fc-ffwd header missing");
      expectEqual(Status.Code.OK, publish.status.getCode(), "publish status");
    });

    check("catchup-all", () -> {
      int mark = recorder.mark();
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns)).fromScratch());
      note("catchup-all", "subscription JSON sent by the client: " + lastSubscriptionJson(mark));
      expectEqual(ids(published), c.ids(), "facts in order");
      long prev = 0;
      for (Fact f : c.facts()) {
        long s = f.serial();
        expect(s > prev, "serial (meta._ser) not increasing: " + prev + " then " + s);
        expectEqual(serial(f.id()), s, "meta._ser vs serialOf for " + f.id());
        expect(f.timestamp() != null, "meta._ts missing");
        prev = s;
      }
      List<String> sig = c.signals();
      expect(sig.indexOf("catchup") > sig.lastIndexOf("fact") && sig.indexOf("complete") > sig.indexOf("catchup"),
          "expected facts, then catchup, then complete; got " + sig);
      Fact sent = published.get(5);
      Fact got = c.facts().get(5);
      expectEqual(Json.parse(sent.jsonPayload()), Json.parse(got.jsonPayload()), "payload (unicode/escapes)");
      expectEqual(sent.aggIds(), got.aggIds(), "aggIds (two)");
    });

    check("catchup-from", () -> {
      UUID after = published.get(2).id();
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns)).from(after));
      expectEqual(ids(published.subList(3, published.size())), c.ids(), "facts after the third");
    });

    check("stream-info", () -> {
      // subscribeEphemeral = the non-reconnecting path; the reconnecting wrapper of this client
      // version does not forward onFactStreamInfo.
      Collector c = new Collector();
      try (Subscription s = fc.subscribeEphemeral(
          SubscriptionRequest.catchup(FactSpec.ns(ns)).from(published.get(1).id()), c)) {
        s.awaitComplete(WAIT_MS);
      }
      FactStreamInfo i = c.info.get();
      expect(i != null, "no Info notification; signals " + c.signals());
      expectEqual(serial(published.get(1).id()), i.startSerial(), "Info.startSerial");
      expect(i.horizonSerial() >= serial(published.get(published.size() - 1).id()),
          "Info.horizonSerial " + i.horizonSerial() + " below the last published serial");
      expectEqual("info", c.signals().get(0), "first signal");
    });

    check("spec-type", () -> {
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns).type("UserRenamed")).fromScratch());
      expectEqual(expectedIds(f -> "UserRenamed".equals(f.type())), c.ids(), "UserRenamed facts");
    });

    check("spec-aggId", () -> {
      // 0.4.x sends the legacy single "aggId" field (protocol < 1.6), not "aggIds".
      int mark = recorder.mark();
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns).aggId(aggB)).fromScratch());
      note("spec-aggId", "subscription JSON: " + lastSubscriptionJson(mark));
      expectEqual(expectedIds(f -> f.aggIds().contains(aggB)), c.ids(), "facts of aggregate B");
    });

    check("spec-meta", () -> {
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns).meta("tenant", "t1")).fromScratch());
      expectEqual(expectedIds(f -> "t1".equals(f.meta("tenant"))), c.ids(), "facts with meta tenant=t1");
    });

    check("spec-combined", () -> {
      Collector c = catchup(SubscriptionRequest.catchup(
          FactSpec.ns(ns).type("UserRenamed").aggId(aggA).meta("tenant", "t1")).fromScratch());
      expectEqual(expectedIds(f -> "UserRenamed".equals(f.type()) && f.aggIds().contains(aggA)
          && "t1".equals(f.meta("tenant"))), c.ids(), "type+aggId+meta");
    });

    check("spec-or", () -> {
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns).type("UserDeleted"))
          .or(FactSpec.ns(ns).type("AuditNote")).fromScratch());
      expectEqual(expectedIds(f -> f.type().equals("UserDeleted") || f.type().equals("AuditNote")), c.ids(),
          "UserDeleted or AuditNote, in serial order");
    });

    check("spec-other-namespace", () -> {
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns + "-other")).fromScratch());
      expectEqual(List.of(), c.ids(), "facts of an empty namespace");
    });

    check("ffwd", () -> {
      // Nothing matches, so the client may fast-forward to the store's newest fact (fc-ffwd is set).
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns).type("NoSuchType")).fromScratch());
      expectEqual(List.of(), c.ids(), "facts");
      expect(!c.fastForwards.isEmpty(), "no fast-forward signal; signals " + c.signals());
      UUID target = c.fastForwards.get(0);
      expect(fc.serialOf(target).isPresent(), "fast-forward target " + target + " is not a fact");
      expect(fc.serialOf(target).getAsLong() >= serial(published.get(published.size() - 1).id()),
          "fast-forward target is older than our last fact");
    });

    check("follow", () -> {
      Collector c = new Collector();
      try (Subscription s = fc.subscribe(SubscriptionRequest.follow(FactSpec.ns(ns)).fromScratch(), c)) {
        s.awaitCatchup(WAIT_MS);
        expectEqual(ids(published), c.ids(), "history before catchup");
        Fact live = fact("UserCreated", 1, List.of(aggA), "tenant", "t1", "{\"live\":true}");
        fc.publish(live);
        published.add(live);
        expect(c.awaitFacts(published.size(), WAIT_MS), "live fact did not arrive; signals " + c.signals());
        expectEqual(live.id(), c.facts().get(c.facts().size() - 1).id(), "live fact");
        expectEqual(serial(live.id()), c.facts().get(c.facts().size() - 1).serial(), "live fact serial");
        expect(c.error.get() == null, "error: " + c.error.get());
      }
    });

    check("follow-fromNowOn", () -> {
      Collector c = new Collector();
      Collector filtered = new Collector();
      try (Subscription s = fc.subscribe(SubscriptionRequest.follow(FactSpec.ns(ns)).fromNowOn(), c);
           Subscription s2 = fc.subscribe(
               SubscriptionRequest.follow(FactSpec.ns(ns).type("AuditNote").meta("tenant", "t9")).fromNowOn(), filtered)) {
        s.awaitCatchup(WAIT_MS);
        s2.awaitCatchup(WAIT_MS);
        expectEqual(List.of(), c.ids(), "history of an ephemeral subscription");
        Fact other = fact("AuditNote", 1, List.of(), "tenant", "t8", "{}");
        Fact wanted = fact("AuditNote", 1, List.of(), "tenant", "t9", "{}");
        fc.publish(List.of(other, wanted));
        published.add(other);
        published.add(wanted);
        expect(c.awaitFacts(2, WAIT_MS), "live facts did not arrive; got " + c.ids());
        expectEqual(List.of(other.id(), wanted.id()), c.ids(), "live facts");
        expect(filtered.awaitFacts(1, WAIT_MS), "filtered live fact did not arrive");
        Thread.sleep(300);
        expectEqual(List.of(wanted.id()), filtered.ids(), "live facts matching type+meta");
      }
    });

    check("keepalive", () -> {
      // The client declares the stream stale after 2 x 3000 + 200 ms without any notification.
      Collector c = new Collector();
      try (Subscription s = fc.subscribeEphemeral(
          SubscriptionRequest.follow(FactSpec.ns(ns)).withKeepaliveIntervalInMs(3000).fromNowOn(), c)) {
        s.awaitCatchup(WAIT_MS);
        Thread.sleep(7_500);
        expect(c.error.get() == null, "subscription failed while idle: " + describe(c.error.get()));
        Fact live = fact("AuditNote", 1, List.of(), null, null, "{\"afterIdle\":true}");
        fc.publish(live);
        published.add(live);
        expect(c.awaitFacts(1, WAIT_MS), "fact after idle period did not arrive");
      }
    });

    check("many-facts", () -> {
      // ~6 MB of facts: more than one Facts batch (the client's default max message is 4 MB).
      String filler = "x".repeat(2000);
      List<Fact> many = new ArrayList<>();
      for (int i = 0; i < 3000; i++) many.add(fact("Bulk", 1, List.of(), null, null, "{\"i\":" + i + ",\"f\":\"" + filler + "\"}"));
      for (int i = 0; i < many.size(); i += 500) fc.publish(many.subList(i, i + 500));
      published.addAll(many);
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns).type("Bulk")).fromScratch());
      expectEqual(ids(many), c.ids(), "3000 facts in order");
    });

    check("enumerateNamespaces", () -> {
      Set<String> nss = fc.enumerateNamespaces();
      expect(nss.contains(ns), "namespaces " + nss + " lack " + ns);
    });

    check("enumerateTypes", () -> {
      Set<String> expected = published.stream().map(Fact::type).collect(Collectors.toCollection(HashSet::new));
      expectEqual(expected, new HashSet<>(fc.enumerateTypes(ns)), "types of " + ns);
      expectEqual(Set.of(), fc.enumerateTypes(ns + "-none"), "types of an unknown namespace");
    });

    check("currentTime", () -> {
      long t = store.currentTime();
      expect(Math.abs(t - System.currentTimeMillis()) < 60_000, "currentTime " + t + " is far from local " + System.currentTimeMillis());
    });

    check("fetchByIdAndVersion", () -> {
      Fact sent = published.get(2); // UserRenamed version 2
      Fact got = fc.fetchByIdAndVersion(sent.id(), 2).orElseThrow();
      expectEqual(sent.id(), got.id(), "id");
      expectEqual(2, got.version(), "version");
      expect(!fc.fetchByIdAndVersion(UUID.randomUUID(), 1).isPresent(), "unknown id was found");
    });

    check("missing-transformation-exception", () -> {
      // exc-bin naming a class this client version has: it must come back as that exception.
      Fact sent = published.get(2);
      try {
        fc.fetchByIdAndVersion(sent.id(), 1);
        throw new CheckFailed("fetching version 1 of a version-2 fact without transformations succeeded");
      } catch (MissingTransformationInformationException expected) {
        // the real class, rebuilt from exc-bin/msg-bin
      }
      int mark = recorder.mark();
      Collector c = new Collector();
      Subscription s = fc.subscribe(
          SubscriptionRequest.catchup(FactSpec.ns(ns).type("UserRenamed").version(1)).fromScratch(), c);
      expect(c.await(c.failed, WAIT_MS), "subscription asking for an untransformable version did not fail; signals "
          + c.signals() + ", facts " + c.facts().stream().map(Fact::jsonHeader).collect(Collectors.toList()));
      s.close();
      expect(c.error.get() instanceof MissingTransformationInformationException,
          "subscription error is " + describe(c.error.get()));
      long subscribes = recorder.since(mark).stream().filter(x -> x.method.equals("subscribe")).count();
      expectEqual(1L, subscribes, "subscribe calls (a server exception must not be retried)");
    });

    check("duplicate-id", () -> {
      Fact original = published.get(0);
      Fact copy = Fact.of(original.jsonHeader().replaceAll(",?\"_(ser|ts)\":\\d+", "").replace("{,", "{"),
          "{\"duplicate\":true}");
      expectEqual(original.id(), copy.id(), "copy id");
      int mark = recorder.mark();
      try {
        fc.publish(copy);
        throw new CheckFailed("publishing a duplicate id succeeded");
      } catch (RuntimeException e) {
        Metadata trailers = Status.trailersFromThrowable(e);
        expect(trailers != null, "no gRPC status in " + describe(e));
        String exc = bin(trailers, "exc-bin");
        expectEqual("org.factcast.core.DuplicateFactException", exc, "exc-bin trailer");
        String msg = bin(trailers, "msg-bin");
        expect(msg != null && !msg.isEmpty(), "msg-bin trailer missing");
        long publishes = recorder.since(mark).stream().filter(x -> x.method.equals("publish")).count();
        expectEqual(1L, publishes, "publish calls (must not be retried)");
        note("duplicate-id", "client raised " + describe(e).replace(String.valueOf(trailers), "<trailers>")
            + "; trailers exc-bin=" + exc + " msg-bin=" + msg
            + (classExists(exc) ? "" : " (this client version has no class " + exc + ", so it cannot rebuild it)"));
      }
      expectEqual(Json.parse(original.jsonPayload()), Json.parse(fc.fetchById(original.id()).orElseThrow().jsonPayload()),
          "stored payload after the duplicate attempt");
    });

    check("duplicate-in-batch-is-atomic", () -> {
      Fact fresh = fact("AuditNote", 1, List.of(), null, null, "{}");
      Fact dup = Fact.of(published.get(1).jsonHeader().replaceAll(",?\"_(ser|ts)\":\\d+", "").replace("{,", "{"), "{}");
      try {
        fc.publish(List.of(fresh, dup));
        throw new CheckFailed("publishing a batch with a duplicate id succeeded");
      } catch (RuntimeException e) {
        expectEqual("org.factcast.core.DuplicateFactException", bin(Status.trailersFromThrowable(e), "exc-bin"), "exc-bin");
      }
      expect(!fc.fetchById(fresh.id()).isPresent(), "the batch's other fact was stored");
    });

    check("lock-on-aggId", () -> {
      Fact f = fact("UserRenamed", 2, List.of(aggA), "tenant", "t1", "{\"locked\":1}");
      AtomicInteger attempts = new AtomicInteger();
      PublishingResult r = fc.lock(ns).on(aggA).attempt(() -> {
        attempts.incrementAndGet();
        return Attempt.publish(f);
      });
      published.add(f);
      expectEqual(List.of(f.id()), ids(r.publishedFacts()), "published");
      expectEqual(1, attempts.get(), "attempts");
      expect(fc.fetchById(f.id()).isPresent(), "locked publish not stored");
    });

    check("lock-conflict-retries", () -> {
      AtomicInteger attempts = new AtomicInteger();
      Fact intruder = fact("UserRenamed", 2, List.of(aggB), null, null, "{\"intruder\":true}");
      List<Fact> tried = new ArrayList<>();
      PublishingResult r = fc.lock(FactSpec.ns(ns).aggId(aggB)).attempt(() -> {
        if (attempts.incrementAndGet() == 1) fc.publish(intruder); // someone else changes aggregate B meanwhile
        Fact mine = fact("UserRenamed", 2, List.of(aggB), null, null, "{\"attempt\":" + attempts.get() + "}");
        tried.add(mine);
        return Attempt.publish(mine);
      });
      published.add(intruder);
      published.add(tried.get(tried.size() - 1));
      expectEqual(2, attempts.get(), "attempts (first must conflict)");
      expect(!fc.fetchById(tried.get(0).id()).isPresent(), "the conflicting attempt was published");
      expect(fc.fetchById(tried.get(1).id()).isPresent(), "the retry was not published");
      expectEqual(List.of(tried.get(1).id()), ids(r.publishedFacts()), "result");
    });

    check("lock-unrelated-change", () -> {
      // A change to another aggregate must not conflict with a lock on aggregate A.
      AtomicInteger attempts = new AtomicInteger();
      Fact other = fact("UserRenamed", 2, List.of(aggB), null, null, "{\"unrelated\":true}");
      Fact mine = fact("UserRenamed", 2, List.of(aggA), null, null, "{\"mine\":true}");
      fc.lock(ns).on(aggA).attempt(() -> {
        if (attempts.incrementAndGet() == 1) fc.publish(other);
        return Attempt.publish(mine);
      });
      published.add(other);
      published.add(mine);
      expectEqual(1, attempts.get(), "attempts");
    });

    check("lock-retries-exceeded", () -> {
      AtomicInteger attempts = new AtomicInteger();
      List<Fact> tried = new ArrayList<>();
      try {
        fc.lock(FactSpec.ns(ns).aggId(aggA)).optimistic().retry(3).interval(10).attempt(() -> {
          attempts.incrementAndGet();
          Fact intruder = fact("UserRenamed", 2, List.of(aggA), null, null, "{}");
          fc.publish(intruder);
          published.add(intruder);
          Fact mine = fact("UserRenamed", 2, List.of(aggA), null, null, "{}");
          tried.add(mine);
          return Attempt.publish(mine);
        });
        throw new CheckFailed("attempt succeeded despite a conflict every time");
      } catch (OptimisticRetriesExceededException expected) {
        // 3 attempts, all rejected
      }
      expectEqual(3, attempts.get(), "attempts");
      for (Fact t : tried) expect(!fc.fetchById(t.id()).isPresent(), "a rejected attempt was published");
    });

    check("lock-abort", () -> {
      int mark = recorder.mark();
      try {
        fc.lock(ns).on(aggA).attempt(() -> Attempt.abort("changed my mind"));
        throw new CheckFailed("aborted attempt did not throw");
      } catch (AttemptAbortedException expected) {
        expectEqual("changed my mind", expected.getMessage(), "abort message");
      }
      List<Recorder.Call> calls = recorder.since(mark);
      List<String> methods = calls.stream().map(c -> c.method).collect(Collectors.toList());
      expectEqual(List.of("stateForSpecsJson", "invalidate"), methods, "calls made by an aborted attempt");
      for (Recorder.Call c : calls) expectEqual(Status.Code.OK, c.status.getCode(), c.method + " status");
    });

    check("lock-stale-token", () -> {
      // publishIfUnchanged with a token the store never issued must not publish.
      Fact f = fact("AuditNote", 1, List.of(), null, null, "{}");
      boolean ok = store.publishIfUnchanged(List.of(f), Optional.of(new org.factcast.core.store.StateToken(UUID.randomUUID())));
      expect(!ok, "publish with an unknown token succeeded");
      expect(!fc.fetchById(f.id()).isPresent(), "fact stored anyway");
      Fact g = fact("AuditNote", 1, List.of(), null, null, "{}");
      expect(store.publishIfUnchanged(List.of(g), Optional.empty()), "publishIfUnchanged without token failed");
      published.add(g);
    });

    check("catchup-everything-final", () -> {
      // Whatever the checks above published, a fresh catch-up returns exactly that, in order.
      Collector c = catchup(SubscriptionRequest.catchup(FactSpec.ns(ns)).fromScratch());
      expectEqual(ids(published), c.ids(), "all facts of the run");
    });

    check("startingAfter-unknown", () -> {
      Collector c = new Collector();
      Subscription s = fc.subscribeEphemeral(SubscriptionRequest.catchup(FactSpec.ns(ns)).from(UUID.randomUUID()), c);
      boolean failed = c.await(c.failed, WAIT_MS);
      s.close();
      expect(failed, "subscribing after an unknown fact id neither failed; signals " + c.signals());
      note("startingAfter-unknown", "client got " + describe(c.error.get()));
    });

    gaps();
    return failures;
  }

  /** Things this client version can do that the store (protocol 1.8) deliberately lacks. */
  void gaps() {
    try {
      store.getSnapshot(org.factcast.core.snap.SnapshotId.of("probe", UUID.randomUUID()));
      note("snapshot-rpcs", "getSnapshot answered");
    } catch (RuntimeException e) {
      note("snapshot-rpcs", "getSnapshot (removed in protocol 1.5, still in this 1.1 client) -> " + describe(e));
    }
  }

  static String bin(Metadata trailers, String key) {
    if (trailers == null) return null;
    byte[] b = trailers.get(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static boolean classExists(String name) {
    try {
      Class.forName(name);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
