package org.factline.javaclient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.factcast.core.Fact;
import org.factcast.core.subscription.FactStreamInfo;
import org.factcast.core.subscription.observer.FactObserver;

/** A FactObserver that keeps everything it is told, in order, and lets a check wait for it. */
final class Collector implements FactObserver {
  private final List<Fact> facts = new ArrayList<>();
  /** Signals in arrival order: "fact", "catchup", "complete", "ffwd", "info", "error". */
  private final List<String> signals = new ArrayList<>();

  final List<UUID> fastForwards = new ArrayList<>();
  final AtomicReference<FactStreamInfo> info = new AtomicReference<>();
  final AtomicReference<Throwable> error = new AtomicReference<>();
  final CountDownLatch catchup = new CountDownLatch(1);
  final CountDownLatch complete = new CountDownLatch(1);
  final CountDownLatch failed = new CountDownLatch(1);

  @Override
  public synchronized void onNext(Fact element) {
    facts.add(element);
    signals.add("fact");
    notifyAll();
  }

  @Override
  public synchronized void onFastForward(UUID factIdToFfwdTo) {
    fastForwards.add(factIdToFfwdTo);
    signals.add("ffwd");
  }

  @Override
  public synchronized void onFactStreamInfo(FactStreamInfo i) {
    info.set(i);
    signals.add("info");
  }

  @Override
  public synchronized void onCatchup() {
    signals.add("catchup");
    catchup.countDown();
  }

  @Override
  public synchronized void onComplete() {
    signals.add("complete");
    complete.countDown();
  }

  @Override
  public synchronized void onError(Throwable exception) {
    error.compareAndSet(null, exception);
    signals.add("error");
    failed.countDown();
    notifyAll();
  }

  synchronized List<Fact> facts() {
    return new ArrayList<>(facts);
  }

  synchronized List<UUID> ids() {
    List<UUID> ids = new ArrayList<>();
    for (Fact f : facts) ids.add(f.id());
    return ids;
  }

  synchronized List<String> signals() {
    return new ArrayList<>(signals);
  }

  /** Waits until at least n facts arrived (or an error); returns whether n arrived. */
  synchronized boolean awaitFacts(int n, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (facts.size() < n && error.get() == null) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return false;
      wait(left);
    }
    return facts.size() >= n;
  }

  boolean await(CountDownLatch latch, long millis) throws InterruptedException {
    return latch.await(millis, TimeUnit.MILLISECONDS);
  }
}
