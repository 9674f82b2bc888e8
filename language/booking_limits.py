"""What the booking form says when a request is over a cap or the same as an open one.

Kept apart from ``language.texts`` (and from the domain, so no retraining):
``storage.bookings.store`` decides, the action only says it, then the contacts.
"""
from typing import Dict

from language.detect import LANGUAGES

LIMIT_TEXTS: Dict[str, Dict[str, str]] = {
    # over the cap per conversation or per address: nothing stored
    "booking_over_cap": {
        "en": "You have already sent us several booking requests, so I haven't added this one. "
              "The Panda Spa team will get back to you about them; to change or add a booking, "
              "please contact the team directly:",
        "vi": "Bạn đã gửi cho bên mình nhiều yêu cầu đặt lịch rồi nên mình không thêm yêu cầu "
              "này nữa. Nhân viên Panda Spa sẽ liên hệ lại với bạn về các yêu cầu trước; muốn "
              "đổi hoặc thêm lịch hẹn thì bạn liên hệ trực tiếp với nhân viên nhé:",
        "ko": "이미 여러 건의 예약 요청을 보내 주셔서 이번 요청은 추가하지 않았어요. Panda Spa "
              "직원이 앞서 보내 주신 요청에 대해 연락드릴 거예요. 예약을 변경하거나 "
              "추가하시려면 직원에게 직접 문의해 "
              "주세요:",
        "zh": "您已经给我们发送了好几份预约申请，所以这一份就不再添加了。Panda Spa 的工作人员会"
              "就之前的申请与您联系；如需更改或增加预约，请直接联系工作人员：",
    },
    # the same request as one still open: that one stands
    "booking_duplicate": {
        "en": "We already have this booking request (#{id}): the Panda Spa team will confirm "
              "it with you. Nothing is final until they do. You can also reach them here:",
        "vi": "Bên mình đã nhận yêu cầu đặt lịch này rồi (#{id}): nhân viên Panda Spa sẽ xác "
              "nhận với bạn. Lịch hẹn chưa chính thức cho đến khi được xác nhận. Bạn cũng có "
              "thể liên hệ nhân viên qua:",
        "ko": "이 예약 요청(#{id})은 이미 접수되었어요. Panda Spa 직원이 확인 연락을 드릴 "
              "거예요. 확인 전까지는 확정이 아니에요. 이곳으로도 문의하실 수 있어요:",
        "zh": "我们已经收到这份预约申请（#{id}），Panda Spa 的工作人员会与您确认。在确认之前，"
              "预约尚未最终确定。您也可以通过以下方式联系他们：",
    },
}


def say_limit(key: str, language: str | None, **values: object) -> str:
    """The text ``key`` in ``language`` (English when unknown), with ``values`` filled in."""
    return LIMIT_TEXTS[key][language if language in LANGUAGES else "en"].format(**values)
