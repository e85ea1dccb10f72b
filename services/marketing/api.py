"""gRPC servicer of crm.marketing.v1.MarketingService: proto <-> domain, nothing else.

The domain speaks channel short names ("EMAIL"); the proto enum carries a prefix (CHANNEL_EMAIL).
"""

from __future__ import annotations

from crm.marketing.v1 import marketing_pb2, marketing_pb2_grpc
from services.core.auth import current_caller
from services.core.service import ServiceContext
from services.marketing import consent as consents
from services.marketing.models import Consent

# Channel number -> short name; UNSPECIFIED (0) -> "".
CHANNEL_NAMES = {
    number: ("" if number == 0 else name.removeprefix("CHANNEL_"))
    for name, number in marketing_pb2.Channel.items()
}
CHANNEL_NUMBERS = {name: n for n, name in CHANNEL_NAMES.items()}


def consent_to_proto(consent: Consent) -> marketing_pb2.Consent:
    message = marketing_pb2.Consent(
        customer_id=consent.customer_id,
        channel=CHANNEL_NUMBERS[consent.channel],
        purpose=consent.purpose,
        granted=consent.granted,
        source=consent.source,
    )
    message.update_time.FromDatetime(consent.updated_at)
    return message


class MarketingApi(marketing_pb2_grpc.MarketingServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database

    def SetConsent(self, request, context) -> marketing_pb2.SetConsentResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            consent, _ = consents.set_consent(
                session,
                tenant=caller.tenant_id,
                caller=caller,
                customer_id=request.customer_id,
                # A number this build does not know is passed on as such, for the domain to reject.
                channel=CHANNEL_NAMES.get(request.channel, str(request.channel)),
                purpose=request.purpose,
                granted=request.granted,
                source=request.source,
            )
            return marketing_pb2.SetConsentResponse(consent=consent_to_proto(consent))

    def GetConsent(self, request, context) -> marketing_pb2.GetConsentResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            found = consents.get_consent(session, caller=caller, customer_id=request.customer_id)
            return marketing_pb2.GetConsentResponse(consents=[consent_to_proto(c) for c in found])
