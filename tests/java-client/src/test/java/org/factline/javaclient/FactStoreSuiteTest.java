package org.factline.javaclient;

import org.factcast.core.store.FactStore;
import org.factcast.store.test.AbstractFactStoreTest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * FactCast's own store test suite ({@code org.factcast:factcast-store-test:0.4.4}), unchanged,
 * against factline through FactCast's Java client 0.4.4, with a fresh store for every test method.
 */
@ExtendWith(FreshStores.class)
public class FactStoreSuiteTest extends AbstractFactStoreTest {

  @Override
  protected FactStore createStoreToTest() {
    return FreshStores.client();
  }

  /**
   * Expects the second publish of an id to throw IllegalArgumentException, which only FactCast's
   * in-process store does. Over gRPC, FactCast's own server answers a duplicate with
   * DuplicateFactException in the exc-bin trailer (factline too), and the 0.4.4 client cannot
   * decode that from any server: DuplicateFactException does not exist in 0.4.4 (the client logs
   * that it cannot materialize the class and rethrows the gRPC status instead).
   * tests/java-client Main's "duplicate-id" check covers what the client does see.
   */
  @Override
  @Test
  @Disabled("the 0.4.4 client cannot decode a duplicate-fact error from any server; see the comment")
  protected void testUniquenessConstraint() {}
}
