# tracepass: the words people read, in English (also what the CLI prints and the JSON carries).
# Every message here is also in ../zh/tracepass.ftl (the tests compare the two sets of IDs).

## Verdict headlines (verify::Verdict)

verdict-genuine = GENUINE
verdict-not_registered = NOT GENUINE: not registered
verdict-not_in_lot = NOT GENUINE: serial not in this lot
verdict-recalled = RECALLED: do not use
verdict-held = ON HOLD: not released for sale
verdict-failed_inspection = FAILED INSPECTION
verdict-merchant_suspended = NOT GENUINE: merchant suspended
verdict-attestation_revoked = NOT VERIFIED: inspection revoked
verdict-attestation_expired = NOT VERIFIED: inspection expired
verdict-awaiting_inspection = NOT VERIFIED: awaiting inspection
verdict-selection_pending = NOT VERIFIED YET: inspection selection pending

## Why (verify::Reason)

reason-not-registered = no product with this GTIN, or no lot with this number, is registered on chain
reason-no-proof = no proof was given for this serial
reason-not-in-lot = serial { $serial } is not one of the { $count } items registered in lot { $lot }
reason-merchant-not-active = the merchant that registered this product is not active on the consortium
reason-recalled = the merchant or the consortium recalled this lot
reason-failed-inspection = inspection #{ $id } of this lot failed
reason-fail-disputed = inspection #{ $id } failed; the merchant disputes it and a re-test by another agency is awaited
reason-fail-retested = inspection #{ $id } failed; the merchant disputes it, re-test #{ $retest } was made by another agency, and the consortium has not decided yet
reason-fail-confirmed = inspection #{ $id } failed; the merchant disputed it and the consortium confirmed the hold
reason-released-after-retest = inspection #{ $id } failed, but another agency's re-test #{ $retest } passed and the consortium released the lot
reason-held = the lot is held and has not been released
reason-awaiting-inspection = sampling selected this lot for inspection and none is recorded yet
reason-selection-pending = sampling has not yet drawn whether this lot must be inspected (the draw of its epoch is not final)
reason-inspection-revoked = inspection #{ $id } was revoked
reason-inspection-expired = inspection #{ $id } has expired
reason-passed-inspection = registered, in its lot, and passed inspection #{ $id }
reason-in-lot = registered by an active merchant and proven to be in its lot
reason-registered-before-revocation = registered in block { $registered } while its merchant was in good standing; the merchant was revoked in block { $revoked }, which does not undo earlier registrations

## What an attestation says (verify::ClaimSummary)

claim-inspection = { $result ->
        [pass] Pass
       *[fail] Fail
    } against { $standard } ({ $items } items sampled, { $selected ->
        [yes] selected by sampling
       *[no] voluntary
    })
claim-certification = factory { $factory } certified { $standard }
claim-clearance = cleared at { $port }

## Record states

status-valid = valid
status-expired = expired
status-revoked = revoked
lot-status-registered = Registered
lot-status-intransit = In transit
lot-status-atcustoms = At customs
lot-status-cleared = Cleared
lot-status-held = Held
lot-status-released = Released
lot-status-recalled = Recalled
merchant-status-active = Active
merchant-status-suspended = Suspended
merchant-status-revoked = Revoked
tier-standard = Standard
tier-trusted = Trusted
tier-watched = Watched
step-commissioning = Commissioning
step-packing = Packing
step-shipping = Shipping
step-arriving = Arriving
step-receiving = Receiving
step-storing = Storing
step-customsclearance = Customs clearance
step-inspecting = Inspecting
step-holding = Holding
step-recalling = Recalling

## Sampling

sampling-badge = sampling
sampling-selected = Sampling selected this lot for inspection ({ $how }).
sampling-not-selected = Sampling did not select this lot ({ $how }).
sampling-pending = Sampling draw pending: the epoch's seed is not revealed yet ({ $how }).
sampling-unknown = No sampling record for this lot ({ $how }).
sampling-how = rate { $rate }%, { $rule }, epoch { $epoch }
sampling-rule = category { $category }, origin { $origin }, tier { $tier }
sampling-rule-default = default rate
rule-any = any
none-sampling = no sampling record for this lot

## The page

page-footer = tracepass · read-only check against the consortium chain
language = Language
section-item = This item
label-gtin = GTIN
label-lot = Lot
label-serial = Serial
label-lot-status = Lot status
label-lot-size = Lot size
lot-size = { $count ->
        [one] one item
       *[other] { $count } items
    }
label-produced = Produced
label-best-before = Best before
digital-id = digital ID
section-product = Product
label-brand = Brand
label-category = Category
label-origin = Origin
label-hs-code = HS code
label-factory = Factory
label-product-info = Product info
label-registered-block = Registered at block
section-merchant = Merchant
merchant-tier = tier { $tier }
label-account = account
merchant-none = the merchant is not (or no longer) on the consortium
evidence-issued = issued { $at }
evidence-issued-until = issued { $at }, valid until { $until }
evidence-by = by
section-factory-certification = Factory certification
none-factory-certification = no certification of this factory is recorded
section-customs = Customs clearance
none-customs = no customs clearance is recorded for this lot
section-inspections = Inspections
none-inspections = no inspection of this lot is recorded
section-trace = Journey
none-trace = no trace events are recorded for this lot
trace-by = by

## The scan log

scans-line = First verified on { $date }; verified { $count ->
        [one] once
       *[other] { $count } times
    }.
copied-heading = ⚠ This code may have been copied
copied-too-many-scans = It was verified { $scans } times in the last { $days } days; a genuine item is rarely checked more than { $limit } times.
copied-too-many-regions = It was verified from { $regions } different regions in the last { $days } days; a genuine item is rarely checked from more than { $limit }.
copied-advice = First verified on { $date }; verified { $count ->
        [one] once
       *[other] { $count } times
    } in all. The same code printed on other packages verifies the same way: if this package was not sold to you sealed by the merchant, ask the seller.

## The product page

product-not-registered-title = Not registered
product-not-registered = no product with GTIN { $gtin } is registered on chain
product-active = a registered product of an active merchant
product-merchant-inactive = registered, but its merchant is not active on the consortium

## Errors

error-bad-link-title = This link is not valid
error-bad-link = The address is not a well-formed GS1 Digital Link of a tracepass item. Scan the code on the package again, or check what was typed.
error-unavailable-title = Cannot check right now
error-unavailable = The consortium chain cannot be reached at the moment, so nothing can be said about this item yet. Please try again in a minute.
error-overloaded = Too many checks are being made at the moment. Please try again in a minute.
error-what = What is wrong
not-found-title = Nothing here
not-found = This is the tracepass resolver. Scan the QR code on a product's package to check it.

## Names

unnamed = (no name on chain)

## The buyer's claim

claim-button = I bought this
claim-hint = Bought it? Claim it once: later scans of this code will say when it was claimed.
claimed-line = Claimed by its buyer on { $date }.
claim-refused-heading = ⚠ Already claimed
claim-refused = This item was already claimed on { $date }. If you have just bought it sealed, it may be a copy: ask the seller.
claim-not-genuine = Only a genuine item can be claimed.
claims-off = This resolver keeps no scan log, so items cannot be claimed here.
