from sqlalchemy.ext.asyncio import AsyncSession


class Order:
    def __init__(self, total: int) -> None:
        self.total = total


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, total: int) -> Order:
        order = Order(total)
        self.session.add(order)
        await self.session.commit()
        return order
