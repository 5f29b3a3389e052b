//! A few Japanese complaint phrases. The analyzer does not read Japanese (no lexicon, no
//! sentiment), but a one-star Japanese review that says "割れました" reports a crack as plainly
//! as an English one. Japanese has no spaces, so phrases match as substrings; each is a stem
//! whose negated or "hard to" forms ("割れない", "壊れにくい") follow it directly and cancel it.

/// (phrase, code). Stems are long enough not to occur inside unrelated words.
const PHRASES: [(&str, &str); 130] = [
    ("割れ", "durability"),
    ("ひび", "durability"),
    ("壊れ", "durability"),
    ("剥がれ", "durability"),
    ("はがれ", "durability"),
    ("黄ばみ", "durability"),
    ("黄ばん", "durability"),
    ("黄変", "durability"),
    ("変色", "durability"),
    ("破れ", "durability"),
    ("折れ", "durability"),
    ("動かない", "defective"),
    ("作動しない", "defective"),
    ("機能しない", "defective"),
    ("反応しない", "defective"),
    ("不良品", "defective"),
    ("初期不良", "defective"),
    ("故障", "defective"),
    ("サイズが合わない", "size_fit"),
    ("小さすぎ", "size_fit"),
    ("大きすぎ", "size_fit"),
    ("きつすぎ", "size_fit"),
    ("ぶかぶか", "size_fit"),
    ("機種に合わない", "compatibility"),
    ("対応していない", "compatibility"),
    ("安っぽい", "quality"),
    ("チープ", "quality"),
    ("作りが雑", "quality"),
    ("品質が悪", "quality"),
    ("質が悪", "quality"),
    ("粗悪", "quality"),
    ("弱い", "quality"),
    ("異臭", "smell"),
    ("悪臭", "smell"),
    ("臭い", "smell"),
    ("写真と違", "not_as_described"),
    ("画像と違", "not_as_described"),
    ("色が違", "not_as_described"),
    ("イメージと違", "not_as_described"),
    ("水漏れ", "leaks"),
    ("液漏れ", "leaks"),
    ("使いにくい", "usability"),
    ("使いづらい", "usability"),
    ("説明書がな", "instructions"),
    ("うるさい", "noise"),
    ("届かない", "delivery"),
    // 1.10: more of each family (wear, failure, fit, make, use), with their verb forms.
    ("欠け", "durability"),
    ("劣化", "durability"),
    ("ボロボロ", "durability"),
    ("ぼろぼろ", "durability"),
    ("ほつれ", "durability"),
    ("すり減", "durability"),
    ("へたっ", "durability"),
    ("取れてしま", "durability"),
    ("ちぎれ", "durability"),
    ("錆び", "durability"),
    ("サビ", "durability"),
    ("長持ちしない", "durability"),
    ("すぐダメに", "durability"),
    ("不具合", "defective"),
    ("動作しない", "defective"),
    ("電源が入らない", "defective"),
    ("認識しない", "defective"),
    ("認識されない", "defective"),
    ("使い物にならない", "defective"),
    ("作動せず", "defective"),
    ("動きません", "defective"),
    ("反応しません", "defective"),
    ("破損", "damaged_on_arrival"),
    ("傷だらけ", "damaged_on_arrival"),
    ("中古品", "damaged_on_arrival"),
    ("開封済み", "damaged_on_arrival"),
    ("ゆるゆる", "size_fit"),
    ("緩すぎ", "size_fit"),
    ("短すぎ", "size_fit"),
    ("長すぎ", "size_fit"),
    ("対応していません", "compatibility"),
    ("対応してない", "compatibility"),
    ("非対応", "compatibility"),
    ("はまらない", "compatibility"),
    ("はまりません", "compatibility"),
    ("機種が違", "compatibility"),
    ("穴の位置がずれ", "compatibility"),
    ("ペラペラ", "quality"),
    ("ぺらぺら", "quality"),
    ("薄っぺら", "quality"),
    ("ちゃち", "quality"),
    ("安物", "quality"),
    ("作りが粗", "quality"),
    ("ガタつ", "quality"),
    ("歪ん", "quality"),
    ("説明と違", "not_as_described"),
    ("商品ページと違", "not_as_described"),
    ("違う商品", "not_as_described"),
    ("別の商品", "not_as_described"),
    ("偽物", "not_as_described"),
    ("押しにくい", "usability"),
    ("押しづらい", "usability"),
    ("ボタンが押せない", "usability"),
    ("滑りやす", "usability"),
    ("外れやすい", "usability"),
    ("取り付けにくい", "usability"),
    ("取り付けが難し", "usability"),
    ("電池の持ちが悪", "battery"),
    ("充電できない", "battery"),
    ("充電されない", "battery"),
    ("異音", "noise"),
    ("割高", "price_value"),
    ("返金されない", "customer_service"),
    ("説明書が無", "instructions"),
    // 1.14: missing parts, slow or careless shipping, a seller who does not answer. Each phrase
    // carries its own negation ("足りない"), so what may follow it does not cancel it.
    ("欠品", "missing_parts"),
    ("部品が足りない", "missing_parts"),
    ("部品が足りなかった", "missing_parts"),
    ("パーツが足りない", "missing_parts"),
    ("パーツが足りなかった", "missing_parts"),
    ("ネジが足りない", "missing_parts"),
    ("ネジが足りなかった", "missing_parts"),
    ("付属品が入っていな", "missing_parts"),
    ("配送が遅", "delivery"),
    ("発送が遅", "delivery"),
    ("到着が遅", "delivery"),
    ("届くのが遅", "delivery"),
    ("梱包が雑", "delivery"),
    ("梱包がひど", "delivery"),
    ("対応が悪", "customer_service"),
    ("対応がひど", "customer_service"),
    ("返信がない", "customer_service"),
    ("返信がありません", "customer_service"),
    ("返事がない", "customer_service"),
    ("連絡がない", "customer_service"),
];

/// Forms that, directly after a phrase, negate it or make it a praise ("割れにくい": hard to break).
const CANCEL_AFTER: [&str; 26] = [
    "ない",
    "なかった",
    "ません",
    "にくい",
    "づらい",
    "ず",
    "なく",
    "くない",
    "くなかった",
    "もなく",
    "がない",
    "はない",
    "もない",
    "はありません",
    // Suru verbs ("劣化しない": does not wear) and "none" ("不具合なし").
    "しない",
    "しません",
    "しにくい",
    "していない",
    "してない",
    "せず",
    "なし",
    "こともな",
    // "Even if": "割れても", "動かなくても" (hypothetical).
    "ても",
    // The copula denied: "安物ではない", "梱包が雑ではなく丁寧" (1.14).
    "ではな",
    "ではありません",
    "じゃな",
];

/// After a verb's ending ("た", "なった", "る", "なる", "した"; at most `DENIAL_REACH` characters):
/// "never" ("〜たことがない", "〜ることはない", "〜たことは一度もない") or a worry ("〜るかと心配
/// でしたが"), neither of which reports anything.
const DENIED_AFTER: [&str; 8] = [
    "ことがな",
    "ことはな",
    "こともな",
    "ことがありません",
    "ことはありません",
    "こともありません",
    "ことは一度も",
    "かと",
];

/// How far past a phrase a verb's ending may run before `DENIED_AFTER` ("なった" + "こと…").
const DENIAL_REACH: usize = 4;

/// Another product the reviewer used ("前の製品は動かなくなりましたが、これは…"): a phrase after
/// one of these in its clause reports on that product, not this one.
const OTHER_PRODUCT: [&str; 10] = [
    "前の製品",
    "以前の製品",
    "前の商品",
    "以前の商品",
    "前のもの",
    "以前のもの",
    "前に使っていた",
    "以前使っていた",
    "他社の",
    "他の製品",
];

/// Whether the clause before a phrase (back to the last "、") names another product.
fn about_another_product(before: &str) -> bool {
    let clause = before.rsplit(['、', '，', ',']).next().unwrap_or(before);
    OTHER_PRODUCT.iter().any(|o| clause.contains(o))
}

/// Whether `rest` (what follows a phrase) denies it with `DENIED_AFTER` after a short ending.
fn denied(rest: &str) -> bool {
    rest.char_indices()
        .take(DENIAL_REACH + 1)
        .any(|(i, _)| DENIED_AFTER.iter().any(|d| rest[i..].starts_with(d)))
}

/// Codes of the phrases in `text`, each once, with the sentence that reports it.
pub fn find(text: &str) -> Vec<(&'static str, &str)> {
    let mut out: Vec<(&'static str, &str)> = Vec::new();
    for sentence in text.split(['。', '！', '？', '!', '?', '\n']) {
        for (phrase, code) in PHRASES {
            if out.iter().any(|(c, _)| *c == code) {
                continue;
            }
            if reported(sentence, phrase) {
                out.push((code, sentence.trim()));
            }
        }
        if !out.iter().any(|(c, _)| *c == "compatibility") && misfits_a_device(sentence) {
            out.push(("compatibility", sentence.trim()));
        }
    }
    out
}

/// Whether `phrase` occurs in `sentence` other than negated or as praise. A phrase in the plain
/// negative ("動かない") is found in its other tenses too: "動かなくなりました" (stopped working,
/// the commonest way to say it) and "動かなかった".
fn reported(sentence: &str, phrase: &str) -> bool {
    let found = |p: &str| {
        sentence.match_indices(p).any(|(i, m)| {
            let rest = &sentence[i + m.len()..];
            !CANCEL_AFTER.iter().any(|n| rest.starts_with(n))
                && !denied(rest)
                && !about_another_product(&sentence[..i])
        })
    };
    if found(phrase) {
        return true;
    }
    phrase.strip_suffix("ない").is_some_and(|stem| {
        ["なく", "なかった"]
            .iter()
            .any(|tense| found(&format!("{stem}{tense}")))
    })
}

/// "iPhone 14 Proに合いません", "機種に合わなかった": a verb of fitting, negated, after a model
/// name (Latin letters or digits) or a word for the device. After other words it is taste or
/// skin ("好みに合わない", "肌に合わない"), no device.
fn misfits_a_device(sentence: &str) -> bool {
    const MISFIT: [&str; 6] = [
        "に合わな",
        "に合いません",
        "には合わな",
        "には合いません",
        "にはまらな",
        "にはまりません",
    ];
    const DEVICES: [&str; 7] = [
        "機種",
        "スマホ",
        "携帯",
        "端末",
        "本体",
        "モデル",
        "アイフォン",
    ];
    MISFIT.iter().any(|m| {
        sentence.match_indices(m).any(|(i, _)| {
            let before = sentence[..i].trim_end();
            let latin = before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            latin || DEVICES.iter().any(|d| before.ends_with(d))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        find(text).into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn complaints_are_found_with_their_sentence() {
        assert_eq!(
            find("可愛いです。でも一ヶ月で割れました。"),
            vec![("durability", "でも一ヶ月で割れました")]
        );
        assert_eq!(codes("すぐに黄ばみが出てきました"), vec!["durability"]);
        assert_eq!(
            codes("私のスマホには機種に合わないです"),
            vec!["compatibility"]
        );
        assert_eq!(codes("作りが雑で安っぽい"), vec!["quality"]);
        assert_eq!(codes("写真と違う色でした"), vec!["not_as_described"]);
        assert_eq!(codes("初期不良で動かない"), vec!["defective"]);
        // 1.10's families: wear, make, use, fit.
        assert_eq!(codes("一ヶ月で劣化してボロボロ"), vec!["durability"]);
        assert_eq!(codes("ペラペラで安物です"), vec!["quality"]);
        assert_eq!(codes("ボタンが押しにくい"), vec!["usability"]);
        assert_eq!(codes("この機種には対応していません"), vec!["compatibility"]);
        assert_eq!(codes("不具合があります"), vec!["defective"]);
        // 1.13: other tenses of a negative phrase, and a model that the product does not fit.
        assert_eq!(codes("一週間で動かなくなりました"), vec!["defective"]);
        assert_eq!(codes("すぐに反応しなくなった"), vec!["defective"]);
        assert_eq!(codes("iPhone 14 Proに合いません"), vec!["compatibility"]);
        assert_eq!(codes("私の機種には合わなかった"), vec!["compatibility"]);
        assert_eq!(codes("Galaxy S21にはまらない"), vec!["compatibility"]);
    }

    #[test]
    fn missing_parts_shipping_and_seller_phrases() {
        assert_eq!(
            codes("箱を開けたらネジが足りなかった。"),
            vec!["missing_parts"]
        );
        assert_eq!(codes("部品の欠品がありました"), vec!["missing_parts"]);
        assert_eq!(codes("発送が遅すぎます。"), vec!["delivery"]);
        assert_eq!(
            codes("問い合わせても返信がない。"),
            vec!["customer_service"]
        );
        // Praise of the same things reports nothing.
        assert!(codes("欠品もなく、すぐに組み立てられました。").is_empty());
        assert!(codes("梱包が雑ではなく丁寧でした。").is_empty());
        assert!(codes("対応が悪いことはありません。").is_empty());
    }

    #[test]
    fn negated_and_praised_phrases_are_no_complaint() {
        for text in [
            "落としても割れない",
            "壊れにくい素材です",
            "一年使っても黄ばみもなく綺麗です",
            "臭くないです",
            "以前の物より音漏れがしない",
            "傷も気にならない",
            "劣化しない素材です",
            "滑りにくいので安心",
            "外れやすいこともなく快適",
            // Not a device: taste and skin; and a fit that is fine.
            "好みに合わなかった",
            "肌に合わない",
            "iPhone 13にぴったり合います",
            "動かなくても問題ない",
        ] {
            assert!(codes(text).is_empty(), "{text}: {:?}", codes(text));
        }
    }

    /// "Has never …" / "will not …" ("〜たことがない", "〜ることはない") and a worry that did
    /// not come true ("〜かと心配でしたが") deny the complaint, in 1.13's tenses too; another
    /// product's failure ("前の製品は…") is not this one's.
    #[test]
    fn never_a_worry_and_another_product_are_no_complaint() {
        for text in [
            "一度も動かなくなったことはありません",
            "動かなくなることはないです",
            "壊れたことがない",
            "割れたことは一度もない",
            "故障したこともありません",
            "動かなくなるかと心配でしたが、問題ありません",
            "壊れるかと思いましたが丈夫です",
        ] {
            assert!(codes(text).is_empty(), "{text}: {:?}", codes(text));
        }
        // Another product the reviewer used before (the English `clause` kind's "my old case").
        for text in [
            "前の製品は動かなくなりましたが、これは完璧です",
            "以前使っていたものはすぐ壊れたけど、これは丈夫",
            "他社のケースは割れましたが、これは大丈夫",
        ] {
            assert!(codes(text).is_empty(), "{text}: {:?}", codes(text));
        }
        assert_eq!(codes("二日前の夜に壊れました"), vec!["durability"]);
        // Having broken once is a complaint, as is a plain report after a worry.
        assert_eq!(codes("一度壊れたことがあります"), vec!["durability"]);
        assert_eq!(codes("心配した通り動かなくなりました"), vec!["defective"]);
    }
}
