package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reader's queue: bounded by count and by bytes, and what it counts is what it holds. */
class ReadAheadTests {

  /** An item of {@code size} bytes. */
  record Item(int id, long size) {}

  @Test
  void itRefusesAnItemPastEitherBound() throws Exception {
    ReadAhead<Item> byCount = new ReadAhead<>(3, 1_000, Item::size);
    assertThat(byCount.offer(new Item(1, 1))).isTrue();
    assertThat(byCount.offer(new Item(2, 1))).isTrue();
    assertThat(byCount.offer(new Item(3, 1))).isTrue();
    assertThat(byCount.offer(new Item(4, 1))).isFalse();
    assertThat(byCount.offerByCount(new Item(4, 1), 0, TimeUnit.NANOSECONDS)).isFalse();
    assertThat(byCount.poll().id()).isEqualTo(1);
    assertThat(byCount.offer(new Item(4, 1))).isTrue();

    ReadAhead<Item> byBytes = new ReadAhead<>(100, 100, Item::size);
    assertThat(byBytes.offer(new Item(1, 40))).isTrue();
    assertThat(byBytes.offer(new Item(2, 40))).isTrue();
    // under the bound when offered: taken, and the bound is passed by this one item
    assertThat(byBytes.offer(new Item(3, 40))).isTrue();
    assertThat(byBytes.heldBytes()).isEqualTo(120);
    assertThat(byBytes.offer(new Item(4, 1))).isFalse();
    assertThat(byBytes.heldBytes()).isEqualTo(120); // a refused item is not counted
    assertThat(byBytes.poll().id()).isEqualTo(1);
    assertThat(byBytes.heldBytes()).isEqualTo(80);
    assertThat(byBytes.offer(new Item(4, 1))).isTrue();
    assertThat(byBytes.poll(1, TimeUnit.SECONDS).id()).isEqualTo(2);
    assertThat(byBytes.poll().id()).isEqualTo(3);
    assertThat(byBytes.poll().id()).isEqualTo(4);
    assertThat(byBytes.poll()).isNull();
    assertThat(byBytes.poll(10, TimeUnit.MILLISECONDS)).isNull();
    assertThat(byBytes.heldBytes()).isZero();
  }

  @Test
  void anItemLargerThanTheBoundGoesAloneAndTheEndMarkerAlwaysFits() throws Exception {
    ReadAhead<Item> q = new ReadAhead<>(10, 100, Item::size);
    assertThat(q.offer(new Item(1, 5_000))).isTrue(); // nothing held: taken whatever its size
    assertThat(q.offer(new Item(2, 1))).isFalse();
    assertThat(q.halfEmpty()).isFalse();
    // the end marker and an item put back go in by count, whatever the bytes
    assertThat(q.offerByCount(new Item(0, 0), 10, TimeUnit.MILLISECONDS)).isTrue();
    assertThat(q.poll().id()).isEqualTo(1);
    assertThat(q.halfEmpty()).isTrue();
    assertThat(q.poll().id()).isEqualTo(0);
    assertThat(q.heldBytes()).isZero();
  }

  @Test
  void halfEmptyNeedsHalfOfBothBounds() throws Exception {
    ReadAhead<Item> q = new ReadAhead<>(4, 100, Item::size);
    assertThat(q.halfEmpty()).isTrue();
    q.offer(new Item(1, 10));
    q.offer(new Item(2, 10));
    assertThat(q.halfEmpty()).isTrue(); // 2 of 4, 20 of 100
    q.offer(new Item(3, 10));
    assertThat(q.halfEmpty()).isFalse(); // 3 of 4
    q.poll();
    q.poll();
    q.offer(new Item(4, 60));
    assertThat(q.halfEmpty()).isFalse(); // 2 of 4, but 70 of 100
    q.poll();
    assertThat(q.halfEmpty()).isFalse(); // 1 of 4, but 60 of 100
    q.offer(new Item(5, 0));
    q.poll();
    assertThat(q.halfEmpty()).isTrue(); // 1 of 4, 0 of 100
  }

  @Test
  void aWaitingOffererIsWokenByTheTakerThatFreesHalf() throws Exception {
    ReadAhead<Item> q = new ReadAhead<>(100, 1_000, Item::size);
    for (int i = 1; i <= 4; i++) {
      q.offer(new Item(i, 400)); // refused from the fourth on: 1,200 bytes held
    }
    assertThat(q.heldBytes()).isEqualTo(1_200);
    // nothing taken: the wait ends at its bound, not half empty
    assertThat(q.awaitHalfEmpty(TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
    Thread taker =
        new Thread(
            () -> {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
              q.poll();
              q.poll(); // 400 of 1,000 held: half empty, the offerer is woken
            });
    long start = System.nanoTime();
    taker.start();
    assertThat(q.awaitHalfEmpty(TimeUnit.SECONDS.toNanos(60))).isTrue();
    // woken by the taker, not by the end of the wait (a loose bound: a busy machine is slow)
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(30));
    taker.join();
    assertThat(q.heldBytes()).isEqualTo(400);
  }

  @Test
  @Timeout(60) // a count that never falls would stop the producer for good: fail, do not hang
  void whatTwoTakersTakeLeavesNothingCountedAndTheBoundHolds() throws Exception {
    int n = 200_000;
    long bound = 5_000;
    int largest = 300;
    ReadAhead<Item> q = new ReadAhead<>(64, bound, Item::size);
    AtomicLong taken = new AtomicLong();
    AtomicLong sumOfIds = new AtomicLong();
    List<Thread> takers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread taker =
          new Thread(
              () -> {
                while (true) {
                  Item item;
                  try {
                    item = q.poll(1, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (item == null || item.id() < 0) {
                    return;
                  }
                  sumOfIds.addAndGet(item.id());
                  taken.incrementAndGet();
                }
              });
      taker.start();
      takers.add(taker);
    }
    Random random = new Random(7);
    long most = 0;
    for (int i = 1; i <= n; i++) {
      Item item = new Item(i, random.nextInt(largest + 1));
      if (!q.offer(item)) {
        while (!q.awaitHalfEmpty(TimeUnit.MILLISECONDS.toNanos(10))) {
          // woken by a taker, or looks again
        }
        assertThat(q.offerByCount(item, 10, TimeUnit.SECONDS)).isTrue();
      }
      most = Math.max(most, q.heldBytes());
    }
    for (int t = 0; t < 2; t++) {
      assertThat(q.offerByCount(new Item(-1, 0), 10, TimeUnit.SECONDS)).isTrue();
    }
    for (Thread t : takers) {
      t.join(30_000);
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(taken.get()).isEqualTo(n);
    assertThat(sumOfIds.get()).isEqualTo((long) n * (n + 1) / 2);
    assertThat(q.heldBytes()).isZero();
    assertThat(most).isLessThan(bound + largest);
  }
}
