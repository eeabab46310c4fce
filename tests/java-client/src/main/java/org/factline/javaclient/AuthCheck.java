package org.factline.javaclient;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.stream.Collectors;
import org.factcast.client.grpc.GrpcFactStore;
import org.factcast.core.FactCast;
import org.factcast.core.store.RetryableException;

/**
 * FactCast's client with credentials the store does not accept: {@code AuthCheck <connection>}
 * (see {@link Connection}). The client must see an authentication error it treats as final: not
 * a {@link RetryableException}, and not retried even through {@code FactCast.retry(n)}, which
 * retries exactly those. Prints {@code ok}/{@code FAIL} lines like {@link Main}, and {@code
 * attempts <n>}: the calls the client made, which the test compares with what the store saw.
 */
public final class AuthCheck {

  static final int RETRIES = 5;

  public static void main(String[] args) throws Exception {
    Connection connection = Connection.parse(args);
    if (connection == null) System.exit(2);
    Recorder recorder = new Recorder();
    ManagedChannel managed = connection.open();
    GrpcFactStore store = connection.store(managed, recorder, Main.CLIENT_ID);
    int failures = 0;

    failures += check("unauthenticated-handshake", () -> store.initialize());
    // The handshake is not repeated (the client marks itself initialized first); a plain call
    // through the retrying wrapper shows whether UNAUTHENTICATED counts as retryable.
    FactCast retrying = FactCast.from(store).retry(RETRIES, 10);
    failures += check("unauthenticated-not-retried", retrying::enumerateNamespaces);

    List<String> calls =
        recorder.calls().stream()
            .map(c -> c.method + "=" + (c.status == null ? "open" : c.status.getCode()))
            .collect(Collectors.toList());
    System.out.println("attempts " + calls.size() + " " + calls);
    boolean once = calls.size() == 2 && calls.get(1).startsWith("enumerateNamespaces=");
    if (!once) {
      failures++;
      System.out.println("FAIL attempts: expected handshake and one enumerateNamespaces, got " + calls);
    }
    System.out.println(failures == 0 ? "all checks passed" : failures + " check(s) failed");
    System.out.flush();
    managed.shutdownNow();
    Runtime.getRuntime().halt(failures == 0 ? 0 : 1);
  }

  /** 0 when `call` failed as a final authentication error, else 1 (with a FAIL line). */
  static int check(String name, Runnable call) {
    try {
      call.run();
      System.out.println("FAIL " + name + ": the call succeeded");
      return 1;
    } catch (RetryableException e) {
      System.out.println("FAIL " + name + ": retryable " + Main.describe(e));
      return 1;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
        System.out.println("FAIL " + name + ": " + Main.describe(e));
        return 1;
      }
      System.out.println("ok " + name);
      System.out.println("note " + name + ": " + e.getStatus().getDescription());
      return 0;
    } catch (RuntimeException e) {
      System.out.println("FAIL " + name + ": " + Main.describe(e));
      return 1;
    }
  }
}
