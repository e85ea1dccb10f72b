"""gRPC servicer of crm.sales.v1.SalesService: proto <-> domain, nothing else."""

from __future__ import annotations

from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import current_caller
from services.core.service import ServiceContext
from services.sales import accounts
from services.sales.models import Account


def account_to_proto(account: Account) -> sales_pb2.Account:
    message = sales_pb2.Account(
        id=account.id,
        name=account.name,
        customer_id=account.customer_id,
        industry=account.industry,
        region=account.region,
        owner_id=account.owner_id,
    )
    message.create_time.FromDatetime(account.created_at)
    return message


class SalesApi(sales_pb2_grpc.SalesServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database

    def CreateAccount(self, request, context) -> sales_pb2.CreateAccountResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            account = accounts.create_account(
                session,
                tenant=caller.tenant_id,
                caller=caller,
                name=request.name,
                customer_id=request.customer_id,
                industry=request.industry,
                region=request.region,
                owner_id=request.owner_id,
            )
            return sales_pb2.CreateAccountResponse(account=account_to_proto(account))

    def GetAccount(self, request, context) -> sales_pb2.GetAccountResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            account = accounts.get_account(session, caller=caller, account_id=request.id)
            return sales_pb2.GetAccountResponse(account=account_to_proto(account))
