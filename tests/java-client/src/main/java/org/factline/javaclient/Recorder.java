package org.factline.javaclient;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.factcast.grpc.api.gen.FactStoreProto.MSG_SubscriptionRequest;

/**
 * Records what the FactCast client puts on the wire (method, request headers, the subscription
 * JSON) and how each call ended (status, trailers), so a failing check can say exactly what was
 * sent and what came back. Sits below the client, so the client itself is unchanged.
 */
final class Recorder implements ClientInterceptor {

  static final class Call {
    final String method;
    volatile Metadata headers;
    volatile String subscriptionJson;
    volatile Status status;
    volatile Metadata trailers;

    Call(String method) {
      this.method = method;
    }

    @Override
    public String toString() {
      return method
          + " headers="
          + headers
          + (subscriptionJson != null ? " json=" + subscriptionJson : "")
          + " -> "
          + (status == null ? "(open)" : status.getCode() + " " + status.getDescription())
          + (trailers != null && !trailers.keys().isEmpty() ? " trailers=" + trailers : "");
    }
  }

  private final List<Call> calls = new ArrayList<>();

  synchronized List<Call> calls() {
    return new ArrayList<>(calls);
  }

  synchronized int mark() {
    return calls.size();
  }

  synchronized List<Call> since(int mark) {
    return new ArrayList<>(calls.subList(mark, calls.size()));
  }

  private synchronized void add(Call c) {
    calls.add(c);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    Call rec = new Call(method.getBareMethodName());
    add(rec);
    return new SimpleForwardingClientCall<ReqT, RespT>(next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        Metadata copy = new Metadata();
        copy.merge(headers);
        rec.headers = copy;
        super.start(
            new SimpleForwardingClientCallListener<RespT>(responseListener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                rec.status = status;
                rec.trailers = trailers;
                super.onClose(status, trailers);
              }
            },
            headers);
      }

      @Override
      public void sendMessage(ReqT message) {
        if (message instanceof MSG_SubscriptionRequest) {
          rec.subscriptionJson = ((MSG_SubscriptionRequest) message).getJson();
        }
        super.sendMessage(message);
      }
    };
  }
}
