//! A tiny deterministic random generator (SplitMix64): the same seed gives the same
//! data on every machine and engine, without another crate.

pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for one step of the run, independent of the other steps, so adding
    /// a step (or changing one) leaves every other step's data as it was.
    pub(crate) fn for_step(seed: u64, step: &str) -> Rng {
        // FNV-1a of the step name, mixed into the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in step.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng(seed ^ h);
        r.next_u64();
        r
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift: unbiased enough for test data, and fast.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index into `items`, skewed toward the front (common surnames first).
    pub(crate) fn pick_skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let a = self.below(items.len() as u64);
        let b = self.below(items.len() as u64);
        &items[a.min(b) as usize]
    }

    /// An index chosen with the given cumulative weights (as built by [`cumulative`]).
    pub(crate) fn weighted(&mut self, cumulative: &[u64]) -> usize {
        let total = *cumulative.last().expect("at least one weight");
        let x = self.below(total);
        cumulative.partition_point(|&c| c <= x)
    }

    /// `n` decimal digits, the first one not zero.
    pub(crate) fn digits(&mut self, n: u32) -> String {
        let lo = 10u64.pow(n - 1);
        self.range(lo, lo * 10 - 1).to_string()
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// Running totals of `weights`, for [`Rng::weighted`].
pub(crate) fn cumulative(weights: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut sum = 0;
    weights
        .into_iter()
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let a: Vec<u64> = (0..5).map({
            let mut r = Rng::for_step(42, "org");
            move |_| r.next_u64()
        })
        .collect();
        let b: Vec<u64> = (0..5).map({
            let mut r = Rng::for_step(42, "org");
            move |_| r.next_u64()
        })
        .collect();
        assert_eq!(a, b);
        assert_ne!(Rng::for_step(42, "org").next_u64(), Rng::for_step(42, "users").next_u64());
    }

    #[test]
    fn weighted_picks_respect_zero_weights() {
        let c = cumulative([0, 5, 0, 5]);
        let mut r = Rng::for_step(1, "w");
        for _ in 0..1000 {
            let i = r.weighted(&c);
            assert!(i == 1 || i == 3, "picked {i}");
        }
    }

    #[test]
    fn ranges_are_inclusive_and_bounded() {
        let mut r = Rng::for_step(7, "r");
        let mut seen = [false; 3];
        for _ in 0..1000 {
            let x = r.range(2, 4);
            assert!((2..=4).contains(&x));
            seen[(x - 2) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.digits(8).len(), 8);
    }
}
