package org.factline.javaclient;

import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.factcast.client.grpc.FactCastGrpcChannelFactory;
import org.factcast.client.grpc.FactCastGrpcClientProperties;
import org.factcast.client.grpc.GrpcFactStore;

/**
 * How the checks reach the store, from their command line: {@code [--user U --password P]
 * [--tls-ca FILE] host:port}. Plaintext (h2c) unless a CA file is given, then TLS trusting only
 * that CA. The credentials go where FactCast's Spring set-up puts {@code
 * grpc.client.factstore.credentials} ("user:password", FactCast 0.4.x): the client's own
 * constructor, which sends them as HTTP Basic on every call.
 */
final class Connection {

  final String target;
  final Optional<String> credentials;
  final File ca;

  private Connection(String target, Optional<String> credentials, File ca) {
    this.target = target;
    this.credentials = credentials;
    this.ca = ca;
  }

  static final String USAGE = "[--user U --password P] [--tls-ca FILE] host:port";

  /** Null (after printing why) when the arguments are not usable. */
  static Connection parse(String[] args) {
    String user = null;
    String password = null;
    File ca = null;
    String target = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean hasValue = i + 1 < args.length;
      if (a.equals("--user") && hasValue) user = args[++i];
      else if (a.equals("--password") && hasValue) password = args[++i];
      else if (a.equals("--tls-ca") && hasValue) ca = new File(args[++i]);
      else if (!a.startsWith("--") && target == null && a.contains(":")) target = a;
      else return usage("unexpected argument " + a);
    }
    if (target == null) return usage("no host:port");
    if ((user == null) != (password == null)) return usage("--user and --password go together");
    if (ca != null && !ca.canRead()) return usage("cannot read " + ca);
    Optional<String> credentials = user == null ? Optional.empty() : Optional.of(user + ":" + password);
    return new Connection(target, credentials, ca);
  }

  private static Connection usage(String why) {
    System.err.println(why + "; usage: " + USAGE);
    return null;
  }

  /**
   * The channel FactCast's Spring set-up (grpc-spring-boot-starter) builds for {@code
   * grpc.client.factstore.negotiationType=TLS} with {@code security.trustCertCollection}: Netty
   * (grpc-java 1.35 here) with an SSL context that trusts the CA file, ALPN h2.
   */
  ManagedChannel open() throws IOException {
    if (ca == null) return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    return NettyChannelBuilder.forTarget(target)
        .sslContext(GrpcSslContexts.forClient().trustManager(ca).build())
        .build();
  }

  /** FactCast's client, unchanged, over `managed` with `recorder` below it. */
  GrpcFactStore store(ManagedChannel managed, ClientInterceptor recorder, String clientId) {
    Channel channel = ClientInterceptors.intercept(managed, recorder);
    FactCastGrpcChannelFactory channels =
        new FactCastGrpcChannelFactory() {
          @Override
          public Channel createChannel(String name) {
            return channel;
          }

          @Override
          public Channel createChannel(String name, List<ClientInterceptor> interceptors) {
            return ClientInterceptors.intercept(channel, interceptors);
          }

          @Override
          public void close() {
            managed.shutdownNow();
          }
        };
    // The client's public constructor — the one Spring would call — with default properties.
    return new GrpcFactStore(channels, credentials, new FactCastGrpcClientProperties(), clientId);
  }
}
