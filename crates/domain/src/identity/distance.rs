//! How far apart two names are, counted in characters (a Chinese name is 2–4
//! characters, so one typo is one character).

/// The Levenshtein distance in Unicode characters: the fewest insertions,
/// deletions and substitutions turning `a` into `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_one_typo_apart() {
        assert_eq!(edit_distance("张三", "张山"), 1);
        assert_eq!(edit_distance("张三", "张三丰"), 1);
        assert_eq!(edit_distance("欧阳娜娜", "欧娜娜"), 1);
        assert_eq!(edit_distance("张三", "李四"), 2);
        assert_eq!(edit_distance("", "王"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    proptest! {
        #[test]
        fn distance_is_a_metric(a in "[张王李赵a-c]{0,6}", b in "[张王李赵a-c]{0,6}", c in "[张王李赵a-c]{0,6}") {
            prop_assert_eq!(edit_distance(&a, &b), edit_distance(&b, &a));
            prop_assert_eq!(edit_distance(&a, &a), 0);
            prop_assert!(edit_distance(&a, &c) <= edit_distance(&a, &b) + edit_distance(&b, &c));
            prop_assert!(edit_distance(&a, &b) <= a.chars().count().max(b.chars().count()));
        }
    }
}
