# tracepass：面向读者的文字，简体中文。
# 每条消息也在 ../en/tracepass.ftl 中（测试比较两者的消息 ID）。

## 结论（verify::Verdict）

verdict-genuine = 正品
verdict-not_registered = 非正品：未登记
verdict-not_in_lot = 非正品：序列号不在此批次中
verdict-recalled = 已召回：请勿使用
verdict-held = 已扣留：未放行销售
verdict-failed_inspection = 检验不合格
verdict-merchant_suspended = 非正品：商家已被暂停
verdict-attestation_revoked = 未能核实：检验已撤销
verdict-attestation_expired = 未能核实：检验已过期
verdict-awaiting_inspection = 未能核实：等待抽检
verdict-selection_pending = 尚未核实：抽检选择待定

## 原因（verify::Reason）

reason-not-registered = 链上没有登记此 GTIN 的商品，或没有此批号的批次
reason-no-proof = 此序列号没有附带证明
reason-not-in-lot = 序列号 { $serial } 不在批次 { $lot } 登记的 { $count } 件商品之中
reason-merchant-not-active = 登记此商品的商家目前不是联盟的有效成员
reason-recalled = 商家或联盟已召回此批次
reason-failed-inspection = 此批次的检验 #{ $id } 不合格
reason-fail-disputed = 检验 #{ $id } 不合格；商家已提出异议，等待另一家机构复检
reason-fail-retested = 检验 #{ $id } 不合格；商家已提出异议，另一家机构已完成复检 #{ $retest }，联盟尚未裁定
reason-fail-confirmed = 检验 #{ $id } 不合格；商家提出异议后，联盟确认维持扣留
reason-released-after-retest = 检验 #{ $id } 不合格，但另一家机构的复检 #{ $retest } 合格，联盟已放行此批次
reason-held = 此批次被扣留，尚未放行
reason-awaiting-inspection = 抽样选中此批次进行检验，但尚无检验记录
reason-selection-pending = 抽样尚未决定此批次是否须检验（本期抽签尚未最终确定）
reason-inspection-revoked = 检验 #{ $id } 已被撤销
reason-inspection-expired = 检验 #{ $id } 已过期
reason-passed-inspection = 已登记，属于其批次，并通过了检验 #{ $id }
reason-in-lot = 由有效商家登记，并经证明属于其批次
reason-registered-before-revocation = 于区块 { $registered } 登记，当时商家资质有效；该商家已于区块 { $revoked } 被撤销资格，撤销不影响此前的登记

## 证明内容（verify::ClaimSummary）

claim-inspection = 依据 { $standard } 检验{ $result ->
        [pass] 合格
       *[fail] 不合格
    }（抽检 { $items } 件，{ $selected ->
        [yes] 抽样选中
       *[no] 自愿送检
    }）
claim-certification = 工厂 { $factory } 通过 { $standard } 认证
claim-clearance = 已在 { $port } 通关

## 记录状态

status-valid = 有效
status-expired = 已过期
status-revoked = 已撤销
lot-status-registered = 已登记
lot-status-intransit = 运输中
lot-status-atcustoms = 在海关
lot-status-cleared = 已通关
lot-status-held = 已扣留
lot-status-released = 已放行
lot-status-recalled = 已召回
merchant-status-active = 正常
merchant-status-suspended = 已暂停
merchant-status-revoked = 已撤销
tier-standard = 标准
tier-trusted = 可信
tier-watched = 重点关注
step-commissioning = 赋码
step-packing = 包装
step-shipping = 发运
step-arriving = 到港
step-receiving = 收货
step-storing = 仓储
step-customsclearance = 清关
step-inspecting = 检验
step-holding = 扣留
step-recalling = 召回

## 抽样

sampling-badge = 抽样
sampling-selected = 抽样选中此批次进行检验（{ $how }）。
sampling-not-selected = 抽样未选中此批次（{ $how }）。
sampling-pending = 抽样待定：本期的随机种子尚未公布（{ $how }）。
sampling-unknown = 此批次没有抽样记录（{ $how }）。
sampling-how = 抽样率 { $rate }%，{ $rule }，第 { $epoch } 期
sampling-rule = 品类 { $category }，原产国 { $origin }，商家等级 { $tier }
sampling-rule-default = 默认抽样率
rule-any = 任意
none-sampling = 此批次没有抽样记录

## 页面

page-footer = tracepass · 对联盟链的只读核验
language = 语言
section-item = 此件商品
label-gtin = 商品条码（GTIN）
label-lot = 批号
label-serial = 序列号
label-lot-status = 批次状态
label-lot-size = 批次数量
lot-size = { $count } 件
label-produced = 生产日期
label-best-before = 保质期至
digital-id = 数字身份
section-product = 商品
label-brand = 品牌
label-category = 品类
label-origin = 原产国
label-hs-code = HS 编码
label-factory = 工厂
label-product-info = 商品信息
label-registered-block = 登记区块
section-merchant = 商家
merchant-tier = 等级：{ $tier }
label-account = 账户
merchant-none = 该商家不在（或已不在）联盟中
evidence-issued = 签发于 { $at }
evidence-issued-until = 签发于 { $at }，有效期至 { $until }
evidence-by = 签发方
section-factory-certification = 工厂认证
none-factory-certification = 没有此工厂的认证记录
section-customs = 海关通关
none-customs = 此批次没有通关记录
section-inspections = 质量检验
none-inspections = 此批次没有检验记录
section-trace = 流转记录
none-trace = 此批次没有流转记录
trace-by = 记录方

## 查询记录

scans-line = 已查询过 { $count } 次，首次查询时间为 { $date }。
copied-heading = ⚠ 此码可能被复制
copied-too-many-scans = 最近 { $days } 天内被查询 { $scans } 次；正品通常不会被查询超过 { $limit } 次。
copied-too-many-regions = 最近 { $days } 天内从 { $regions } 个不同地区被查询；正品通常不会在超过 { $limit } 个地区被查询。
copied-advice = 共查询 { $count } 次，首次查询时间为 { $date }。印在其他包装上的同一个码也会得到同样的结果：如果这件商品不是商家密封售给你的，请向卖家核实。

## 商品页

product-not-registered-title = 未登记
product-not-registered = 链上没有登记 GTIN 为 { $gtin } 的商品
product-active = 有效商家登记的商品
product-merchant-inactive = 已登记，但其商家目前不是联盟的有效成员

## 错误

error-bad-link-title = 此链接无效
error-bad-link = 此地址不是格式正确的 tracepass 商品 GS1 数字链接。请重新扫描包装上的二维码，或检查输入的内容。
error-unavailable-title = 暂时无法查询
error-unavailable = 目前无法连接联盟链，暂时无法给出此商品的结论。请一分钟后再试。
error-overloaded = 当前查询过多，请一分钟后再试。
error-what = 问题所在
not-found-title = 这里没有内容
not-found = 这是 tracepass 解析服务。请扫描商品包装上的二维码进行核验。

## 名称

unnamed = （链上未登记名称）

## 买家认领

claim-button = 我已购买
claim-hint = 已购买？请认领一次：之后扫描此码将显示认领时间。
claimed-line = 已于 { $date } 被买家认领。
claim-refused-heading = ⚠ 已被认领
claim-refused = 此商品已于 { $date } 被认领。如果你刚买到的是密封包装的商品，它可能是仿冒品：请向卖家核实。
claim-not-genuine = 只有正品才能认领。
claims-off = 此解析服务未保存查询记录，因此无法在此认领商品。
