from fastapi import APIRouter, FastAPI

from app import handlers

app = FastAPI()
router = APIRouter()
router.add_api_route("/orders", handlers.list_orders, methods=["GET"])
router.add_api_route("/invoices", handlers.list_invoices, methods=["GET"])
app.get("/orders/count")(handlers.count_orders)
app.include_router(router)
