package org.factline.javaclient;

import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.factcast.client.grpc.FactCastGrpcChannelFactory;
import org.factcast.client.grpc.FactCastGrpcClientProperties;
import org.factcast.client.grpc.GrpcFactStore;
import org.factcast.core.store.FactStore;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh factline store for every test method, as FactCast's AbstractFactStoreTest expects. The
 * store comes from the test that runs this suite (tests/java-client/factcast-store-suite.int.spec.ts):
 * {@code POST /fresh} at {@code FACTLINE_FRESH_STORE_URL} answers the host:port of a new store
 * process on a new database and stops the previous test's store.
 *
 * <p>Registered as a JUnit extension so the store is there before AbstractFactStoreTest's own
 * {@code @BeforeEach} creates its client, which {@link #client()} connects to this test's address.
 * Every client made during a test is closed after it, so nothing of one test (a follower, a pending
 * call) reaches into the next.
 */
public final class FreshStores implements BeforeEachCallback, AfterEachCallback {

  static final String CLIENT_ID = "factline-store-suite";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static volatile String target;
  private static final List<ManagedChannel> CHANNELS = new CopyOnWriteArrayList<>();

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    String controller = System.getenv("FACTLINE_FRESH_STORE_URL");
    if (controller == null || controller.isBlank()) {
      throw new IllegalStateException(
          "FACTLINE_FRESH_STORE_URL is not set: run this suite through tests/java-client/factcast-store-suite.int.spec.ts");
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(controller + "/fresh"))
            .timeout(Duration.ofSeconds(120))
            .header("x-test", context.getDisplayName())
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("no fresh store: " + response.statusCode() + " " + response.body());
    }
    target = response.body().trim();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (ManagedChannel channel : CHANNELS) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    CHANNELS.clear();
  }

  /** A client of this test's store, built as Spring would build it, with default properties. */
  static FactStore client() {
    ManagedChannel managed = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    CHANNELS.add(managed);
    FactCastGrpcChannelFactory channels =
        new FactCastGrpcChannelFactory() {
          @Override
          public Channel createChannel(String name) {
            return managed;
          }

          @Override
          public Channel createChannel(String name, List<ClientInterceptor> interceptors) {
            return ClientInterceptors.intercept(managed, interceptors);
          }

          @Override
          public void close() {
            managed.shutdownNow();
          }
        };
    return new GrpcFactStore(channels, Optional.empty(), new FactCastGrpcClientProperties(), CLIENT_ID);
  }
}
